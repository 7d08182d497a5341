export { type BlobEntry, type BlobRef, readBlob, writeBlob } from './blob.js';
export {
  CHECKPOINT_FORMAT,
  type CheckpointHeader,
  type CheckpointName,
  checkpointDir,
  loadRunWeights,
  type RunKey,
  readCheckpointHeader,
  readWeights,
} from './checkpoint.js';
export { DEFAULT_LOSS_FACTOR, DivergenceGuard, RunDiverged } from './divergence.js';
export { type EvalMaps, evaluateSplit, type SplitEvalOptions, type SplitEvalResult, toEvalScores } from './evaluate.js';
export {
  type CheckpointEvaluation,
  type EvaluateDeps,
  type EvaluateRecordDeps,
  evaluateCheckpoint,
  evaluateRecord,
  type LocatedCheckpoint,
  locateCheckpoint,
  pretrainedFor,
} from './evaluate-record.js';
export {
  type BackboneFactory,
  type BuiltModel,
  buildModel,
  disposeModel,
  type PretrainedWeights,
  resolveHp,
  runStreams,
} from './model-setup.js';
export { estimateTrainingMemory, type MemoryEstimate, memoryBudget, preflightRun } from './preflight.js';
export {
  barProgress,
  defaultProgress,
  type ProgressSink,
  plainProgress,
  type RunStartInfo,
  silentProgress,
} from './progress.js';
export { type Durations, RunClock } from './run-clock.js';
export {
  openConfiguredDataset,
  type RunConfiguredOptions,
  readEncoderFile,
  realBackboneFactory,
  runConfigured,
  runConfiguredShared,
} from './run-configured.js';
export { type GroupLrs, lrForEpoch } from './schedule.js';
export { trainingIdOf } from './selected-run.js';
export { SELECTION_SCORE, selectedEpoch } from './selection.js';
export { NesterovSgd, type SgdOptions } from './sgd.js';
export {
  checkRunConfigs,
  RunInterruptedError,
  type SharedTrainDeps,
  type TrainDeps,
  trainRun,
  trainShared,
} from './train.js';
