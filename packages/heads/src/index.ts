export { classLogits, selectClassMaps } from './background.js';
export { type CamMethodSpec, type ChannelWeights, defineCamMethod, wgapLogits, wgapLoss } from './cam-method.js';
export { classActivationMaps, classifierWeights, predictedClasses, weightedChannelSum } from './class-activation.js';
export { ClassMapHead, type ClassMapHeadOptions } from './class-map-head.js';
export { ConvStack, type ConvStackLayer, headWidth } from './conv-stack.js';
export { crossEntropy } from './cross-entropy.js';
export { stopGradient, withoutGradient } from './no-gradient.js';
export { globalAveragePool } from './pooling.js';
export {
  buildClassMapModel,
  type ClassMapModel,
  definePoolingMethod,
  type PoolingHyperparams,
  type PoolingMethodSpec,
  poolingHeadFields,
} from './pooling-method.js';
export { mapsAsRows, rowsAsScores } from './rows.js';
export { buildWgap, type Head, WGAP_HEAD_PREFIX, type WgapModel, wgapHead } from './wgap.js';
