export {
  BACKBONES,
  type BackboneDescription,
  backboneIds,
  type CreateBackboneOptions,
  createBackbone,
  describeBackbone,
  getBackboneSpec,
  type ParamShape,
  type WsolBackbone,
} from './create.js';
export { inceptionv3Spec } from './inceptionv3.js';
export { type KerasTensor, type KerasWeightsFile, readKerasH5, writeKerasH5 } from './keras-h5.js';
export {
  checkKerasWeights,
  foldInputConvention,
  identifyKerasFile,
  type KerasLoadOptions,
  type KerasMatchReport,
  loadKerasWeights,
  matchKerasWeights,
  resolveKerasWeightsPath,
} from './keras-weights.js';
export { type BackboneListing, formatBackboneList, listBackbones } from './list.js';
export type { KerasBinding, KerasLayerRef } from './net.js';
export { resnet50Spec } from './resnet50.js';
export { type BackboneSpec, type KerasPreprocessing, parseBackboneId, scaleChannels } from './spec.js';
export { vgg16Spec } from './vgg16.js';
