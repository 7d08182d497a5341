export { classLogits, selectClassMaps } from './background.js';
export { ClassMapHead, type ClassMapHeadOptions } from './class-map-head.js';
export { stopGradient, withoutGradient } from './no-gradient.js';
export {
  buildClassMapModel,
  type ClassMapModel,
  definePoolingMethod,
  type PoolingHyperparams,
  type PoolingMethodSpec,
  poolingHeadFields,
} from './pooling-method.js';
export { mapsAsRows, rowsAsScores } from './rows.js';
export { type ToyCheckResult, toyCheck, toyCheckFailures } from './toy-check.js';
