export { buildWgap, classActivationMaps, crossEntropy, type WgapModel } from '@wslbench/method-cam';
export { defineGradientMethod, type GradientMethodSpec, singlePassMaps } from './define.js';
export { gradientBaseShape } from './hyperparams.js';
export { checkSameShape, spatialSum, weightedChannelSum } from './maps.js';
export {
  type ActivationsAndGradients,
  activationsAndGradients,
  checkClasses,
  type Head,
  targetLogitGradients,
  wgapHead,
} from './target-gradients.js';
export {
  batchedAndPerImageMaps,
  type ConvNetFixture,
  nhwcReader,
  tinyConvNetFixture,
  trainedTinyWgap,
  wave,
} from './testing.js';
