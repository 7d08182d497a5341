export { AccuracyCounter, accuracy, type LabelsInput, type LogitsInput } from './accuracy.js';
export { BinIndexer } from './histogram.js';
export { MapEvaluator } from './map-evaluator.js';
export {
  bestOperatingPoint,
  miouCurve,
  npArgmax,
  type OperatingPoint,
  operatingPointAt,
  operatingPointAtIndex,
} from './operating-point.js';
export { pairwiseSum } from './pairwise-sum.js';
export {
  checkPerImageHistograms,
  PER_IMAGE_STEP,
  PerImageHistograms,
  type PerImageHistogramsJson,
  pxapOfHistograms,
  weightedPxap,
} from './per-image.js';
export { camsToScoremaps, minMaxNormalize, nanToNum, upsampleMaps } from './postprocess.js';
export {
  evaluatePxap,
  MASK_BACKGROUND,
  MASK_FOREGROUND,
  MASK_IGNORE,
  PxapAccumulator,
  type PxapCurve,
  type PxapOptions,
  type PxapResult,
  pxap,
} from './pxap.js';
export { binEdges, camThresholds, checkStep, DEFAULT_STEP, MIN_STEP } from './thresholds.js';
