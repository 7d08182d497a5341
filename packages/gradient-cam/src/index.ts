export { defineGradientMethod, type GradientMethodSpec, singlePassMaps } from './define.js';
export { type GradCamPlusPlusOptions, gradCamPlusPlusMap, PGC_ALPHA_EPS } from './gradcam-pp-map.js';
export { gradientBaseShape } from './hyperparams.js';
export { checkSameShape, spatialSum } from './maps.js';
export {
  type ActivationsAndGradients,
  activationsAndGradients,
  checkClasses,
  targetLogitGradients,
} from './target-gradients.js';
