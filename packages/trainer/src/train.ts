import * as tf from '@tensorflow/tfjs-core';
import {
  type AnyMethod,
  type BackboneInstance,
  type Batch,
  type DatasetSource,
  disposeBatch,
  type EnvInfo,
  parseStrict,
  type ResultRecord,
  RunConfig,
  type StepContext,
  type WeightSnapshot,
} from '@wslbench/core';
import { type CheckpointHeader, readWeights } from './checkpoint.js';
import { DEFAULT_LOSS_FACTOR, DivergenceGuard, outOfMemoryFailure, RunDiverged } from './divergence.js';
import type { SplitEvalOptions } from './evaluate.js';
import {
  type BackboneFactory,
  type BuiltModel,
  buildModel,
  disposeModel,
  type PretrainedWeights,
  resolveHp,
  runStreams,
} from './model-setup.js';
import { defaultProgress, type ProgressSink } from './progress.js';
import { RunClock } from './run-clock.js';
import { lrForEpoch } from './schedule.js';
import { type EvalCommon, SelectedRun, trainingIdOf } from './selected-run.js';
import { NesterovSgd } from './sgd.js';

export interface TrainDeps {
  method: AnyMethod;
  dataset: DatasetSource;
  createBackbone: BackboneFactory;
  env: EnvInfo;
  /** Weights of the prerequisite run when the method declares `requirements.classifierFrom` (see loadRunWeights). */
  pretrained?: PretrainedWeights;
  progress?: ProgressSink;
  /** Aborting stops the run at the next step; the last end-of-epoch checkpoint stays on disk for `resume`. */
  signal?: AbortSignal;
  /** Continue from the run's checkpoint when there is one (else start fresh). */
  resume?: boolean;
  /** Batch size of evaluation passes (default: the training batch size). */
  evalBatchSize?: number;
  /** Receives the test maps of the reported checkpoint, batch by batch (galleries). */
  onTestMaps?: SplitEvalOptions['onMaps'];
  /** Called once after a fresh build (not on resume), e.g. to load ImageNet weights into the backbone. */
  initBackbone?: (backbone: BackboneInstance) => Promise<void>;
  /** `epochs: 0` (evaluate the initial model only) is refused unless this says it is meant. */
  evaluateOnly?: boolean;
}

/** Several methods that share one training (see trainShared). */
export interface SharedTrainDeps extends Omit<TrainDeps, 'method' | 'onTestMaps'> {
  methods: AnyMethod[];
  /** Receives the test maps of a method's reported checkpoint. */
  onTestMaps?: (methodId: string) => SplitEvalOptions['onMaps'] | undefined;
}

/** Thrown when the AbortSignal stops a run; the checkpoint of the last finished epoch is on disk. */
export class RunInterruptedError extends Error {
  constructor(
    readonly lastCheckpointEpoch: number | null,
    readonly checkpointDir: string,
  ) {
    super(
      `Run interrupted${lastCheckpointEpoch === null ? ' before its first checkpoint' : ` after the checkpoint of epoch ${lastCheckpointEpoch}`}; ` +
        `resume from ${checkpointDir}`,
    );
    this.name = 'RunInterruptedError';
  }
}

/**
 * Train a method on a dataset under the protocol, select checkpoints by few-shot PxAP (valpx) and valcl accuracy,
 * evaluate the reported one on test, and write the result record atomically to `<resultsDir>/<resultPath>`.
 * Returns the record (status 'failed' when the run diverged).
 */
export async function trainRun(config: RunConfig, deps: TrainDeps): Promise<ResultRecord> {
  const { method, onTestMaps, ...rest } = deps;
  const [record] = await trainShared([config], {
    ...rest,
    methods: [method],
    ...(onTestMaps ? { onTestMaps: () => onTestMaps } : {}),
  });
  return record!;
}

/**
 * Train once for several runs whose methods share their training (same `trainingOf`, run configs equal apart from
 * method and hp), e.g. CAM and the gradient CAMs with `reuseCamRun`. Each run evaluates its own maps after every
 * selected epoch, keeps its own best snapshots and writes its own checkpoint and record, so the records equal those
 * of separate trainings (timings aside). Records are returned in the order of `configs`.
 */
export async function trainShared(configsIn: RunConfig[], deps: SharedTrainDeps): Promise<ResultRecord[]> {
  const runs = sharedRuns(configsIn, deps);
  const config = runs[0]!.config;
  const progress = deps.progress ?? defaultProgress();
  const clock = new RunClock();
  const guard = new DivergenceGuard(config.divergence?.lossFactor ?? DEFAULT_LOSS_FACTOR, null);
  const built = buildModel(runs[0]!.method, config, runs[0]!.hp, deps.dataset, deps.createBackbone, deps.pretrained);
  const trainable = built.params.trainable();
  const sgd = new NesterovSgd(trainable, config.optimizer);
  const session: Session = { built, sgd, clock, guard, runs, deps, progress, lastCheckpointEpoch: null };
  try {
    const resumed = resumeAll(session);
    if (!resumed && deps.initBackbone) await deps.initBackbone(built.backbone);
    const firstEpoch = resumed ? resumed.epoch + 1 : 1;
    progress.start({
      methods: runs.map((r) => r.method.id),
      run: `${runs.map((r) => r.method.id).join('+')}/${config.backbone} ${deps.dataset.id} f${config.fold} s${config.seed}`,
      epochs: config.epochs,
      firstEpoch,
      stepsPerEpoch: Math.ceil(deps.dataset.size('train') / config.optimizer.batchSize),
    });
    if (!resumed) {
      await selectAll(session, 0, null, null);
      checkpointAll(session, 0, config.epochs === 0);
    }
    let epoch = firstEpoch;
    try {
      for (; epoch <= config.epochs && !resumed?.complete; epoch++) {
        const lrs = lrForEpoch(config.optimizer, epoch);
        const meanLoss = await clock.time('train', () => trainEpoch(session, epoch, lrs));
        if (epoch % config.selection.every === 0 || epoch === config.epochs)
          await selectAll(session, epoch, meanLoss, lrs.base);
        checkpointAll(session, epoch, epoch === config.epochs);
        deps.signal?.throwIfAborted();
      }
    } catch (caught) {
      const e = outOfMemoryFailure(caught, epoch, config) ?? caught;
      if (e instanceof RunDiverged) {
        progress.log(`run failed: ${e.message}`);
        const failure = { reason: e.message, epoch: e.epoch, step: e.step < 0 ? null : e.step };
        return runs.map((r) => r.failedRecord(failure, clock.durations(), deps.env));
      }
      if (deps.signal?.aborted) throw new RunInterruptedError(session.lastCheckpointEpoch, runs[0]!.ckptDir);
      throw caught;
    }
    return await testAndRecord(session);
  } finally {
    progress.stop();
    sgd.dispose();
    disposeModel(built);
  }
}

interface Session {
  built: BuiltModel;
  sgd: NesterovSgd;
  clock: RunClock;
  guard: DivergenceGuard;
  runs: SelectedRun[];
  deps: SharedTrainDeps;
  progress: ProgressSink;
  lastCheckpointEpoch: number | null;
}

/**
 * Every check of the run configs that needs no data (callers run it before opening the dataset): each config parses
 * and names its method, selection can pick a checkpoint, `epochs: 0` only when evaluateOnly, and several runs share
 * one training (same `trainingOf`, configs equal apart from method and hp). Returns the configs with hp resolved.
 */
export function checkRunConfigs(configsIn: RunConfig[], methods: AnyMethod[], evaluateOnly = false): RunConfig[] {
  if (!configsIn.length) throw new Error('trainShared: no run config given');
  if (configsIn.length !== methods.length)
    throw new Error(`trainShared: ${configsIn.length} run configs for ${methods.length} methods`);
  const configs = configsIn.map((c, i) => {
    const method = methods[i]!;
    const parsed = parseStrict(RunConfig, c, 'run config');
    if (parsed.method !== method.id)
      throw new Error(`run config names method '${parsed.method}' but the trainer was given '${method.id}'`);
    if (parsed.selection.fromEpoch > parsed.epochs)
      throw new Error(
        `run config: selection.fromEpoch ${parsed.selection.fromEpoch} is after the last epoch (${parsed.epochs}); no checkpoint could be selected`,
      );
    return { ...parsed, hp: resolveHp(method, parsed.hp) };
  });
  const first = configs[0]!;
  if (first.epochs === 0 && !evaluateOnly)
    throw new Error('run config: epochs is 0 (nothing would be trained); ask for an evaluation only (--evaluate-only)');
  if (evaluateOnly && first.epochs !== 0)
    throw new Error(`run config: evaluate-only runs train 0 epochs, the config asks for ${first.epochs}`);
  const ids = methods.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error(`trainShared: a method appears twice (${ids.join(', ')})`);
  const training = configs.map((c, i) => trainingIdOf(methods[i]!, c.hp));
  const shared = (c: RunConfig) => JSON.stringify({ ...c, method: '', hp: {} });
  for (let i = 1; i < configs.length; i++) {
    if (training[i] !== training[0])
      throw new Error(
        `trainShared: '${ids[i]}' trains as '${training[i]}', '${ids[0]}' as '${training[0]}'; only runs of one training can share it`,
      );
    if (shared(configs[i]!) !== shared(first))
      throw new Error(`trainShared: the run configs of '${ids[0]}' and '${ids[i]}' differ beyond method and hp`);
  }
  return configs;
}

function sharedRuns(configsIn: RunConfig[], deps: SharedTrainDeps): SelectedRun[] {
  const configs = checkRunConfigs(configsIn, deps.methods, deps.evaluateOnly === true);
  return configs.map((c, i) => new SelectedRun(deps.methods[i]!, c, deps.dataset));
}

/** Resume every run from its checkpoint (all at the same epoch) or none; returns the checkpoint's state. */
function resumeAll(s: Session): { epoch: number; complete: boolean } | null {
  if (!s.deps.resume) return null;
  const headers = s.runs.map((r) => r.readCheckpoint());
  const found = headers.filter((h): h is CheckpointHeader => h !== null);
  const where = s.runs.map((r, i) => `${r.method.id}: ${headers[i] ? `epoch ${headers[i].epoch}` : 'none'}`);
  if (!found.length) {
    s.progress.log(`no checkpoint in ${s.runs.map((r) => r.ckptDir).join(', ')}: starting from scratch`);
    return null;
  }
  if (
    found.length !== headers.length ||
    found.some((h) => h.epoch !== found[0]!.epoch || h.complete !== found[0]!.complete)
  )
    throw new Error(`Cannot resume a shared training from checkpoints at different points (${where.join('; ')})`);
  const header = found[0]!;
  const dir = s.runs[0]!.ckptDir;
  if (header.weights) s.built.params.restore(readWeights(dir, header.weights));
  if (header.optimizer) s.sgd.loadState(readWeights(dir, header.optimizer));
  for (const [i, r] of s.runs.entries()) r.restoreSelection(headers[i]!);
  s.guard.firstLoss = header.firstLoss ?? null;
  s.clock.resumeFrom(header.durations);
  s.lastCheckpointEpoch = header.epoch;
  s.progress.log(`resuming ${s.runs.map((r) => r.method.id).join('+')} from epoch ${header.epoch} (${dir})`);
  return { epoch: header.epoch, complete: header.complete };
}

/** One epoch of SGD over the train split; returns the mean step loss. Weights are checked finite at its end. */
async function trainEpoch(s: Session, epoch: number, lrs: { base: number; head: number }): Promise<number> {
  const { runs, built, deps } = s;
  const run = runs[0]!;
  const config = run.config;
  const streams = runStreams(config, run.trainingId, deps.dataset.id);
  const rng = streams.step(epoch);
  const trainable = built.params.trainable();
  const vars = trainable.map((p) => p.variable);
  const paramByVar = new Map(trainable.map((p) => [p.variable.name, p.name]));
  let sum = 0;
  let step = 0;
  const batches = deps.dataset.batches('train', {
    batchSize: config.optimizer.batchSize,
    mode: 'train',
    input: config.input,
    rng: streams.data(epoch),
    withMasks: run.method.requirements.pixelMasks === true,
    mean: built.backbone.mean,
    std: built.backbone.std,
  });
  for await (const batch of batches) {
    try {
      deps.signal?.throwIfAborted();
      step++;
      const ctx: StepContext<unknown> = { hp: run.hp, rng, epoch, step, numClasses: deps.dataset.numClasses };
      const loss = trainStep(s, batch, vars, paramByVar, ctx, lrs);
      s.guard.check(loss, epoch, step);
      sum += loss;
      s.progress.step({ epoch, step, loss });
    } finally {
      disposeBatch(batch);
    }
  }
  if (step === 0) throw new Error(`Dataset '${deps.dataset.id}': the train split gave no batch`);
  s.guard.checkWeights(built.params, epoch, step);
  return sum / step;
}

/** Loss and gradients of one batch, then one SGD step unless the loss is not finite (the guard stops the run). */
function trainStep(
  s: Session,
  batch: Batch,
  vars: tf.Variable[],
  paramByVar: Map<string, string>,
  ctx: StepContext<unknown>,
  lrs: { base: number; head: number },
): number {
  const method = s.runs[0]!.method;
  const { value, grads } = tf.variableGrads(() => method.loss(s.built.model, batch, ctx), vars);
  try {
    const loss = value.dataSync()[0]!;
    if (Number.isFinite(loss)) {
      const named = new Map<string, tf.Tensor>();
      for (const [varName, g] of Object.entries(grads)) named.set(paramByVar.get(varName)!, g);
      s.sgd.step(named, lrs);
    }
    return loss;
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads));
  }
}

/** Each run scores the current weights with its own maps and keeps them when its selection rule picks them. */
async function selectAll(s: Session, epoch: number, trainLoss: number | null, lr: number | null): Promise<void> {
  let weights: WeightSnapshot | undefined;
  const snapshot = () => {
    weights ??= s.built.params.snapshot();
    return weights;
  };
  for (const run of s.runs) {
    const { entry, bestLocalization } = await s.clock.time('eval', () =>
      run.select(s.built.model, snapshot, evalCommon(s), epoch, trainLoss, lr),
    );
    s.progress.evaluated({ ...entry, bestLocalization, method: run.method.id });
  }
}

function checkpointAll(s: Session, epoch: number, complete: boolean): void {
  let weights: WeightSnapshot | undefined;
  const optimizer = complete ? undefined : s.sgd.state();
  for (const run of s.runs)
    run.checkpoint({
      epoch,
      complete,
      weights: () => {
        weights ??= s.built.params.snapshot();
        return weights;
      },
      optimizer,
      firstLoss: s.guard.firstLoss,
      durations: s.clock.durations(),
    });
  s.lastCheckpointEpoch = epoch;
}

/** Each run's reported checkpoint (and the other kept one) on test, then its record. */
async function testAndRecord(s: Session): Promise<ResultRecord[]> {
  const tested: Awaited<ReturnType<SelectedRun['testReported']>>[] = [];
  for (const run of s.runs) {
    const onMaps = s.deps.onTestMaps?.(run.method.id);
    const t = await s.clock.time('eval', () => run.testReported(s.built.model, s.built.params, evalCommon(s), onMaps));
    const r = t.reported;
    s.progress.log(
      `${run.method.id} test (${run.config.selection.report}, epoch ${r.epoch}): PxAP ${r.scores.pxap.toFixed(2)} ` +
        `CL ${r.scores.clAccuracy.toFixed(2)} IoU ${r.scores.iou.toFixed(2)} Dice ${r.scores.dice.toFixed(2)}`,
    );
    tested.push(t);
  }
  return s.runs.map((run, i) => run.okRecord(tested[i]!, s.clock.durations(), s.deps.env));
}

function evalCommon(s: Session): EvalCommon {
  return {
    input: s.runs[0]!.config.input,
    batchSize: s.deps.evalBatchSize ?? s.runs[0]!.config.optimizer.batchSize,
    mean: s.built.backbone.mean,
    std: s.built.backbone.std,
    ...(s.deps.signal ? { signal: s.deps.signal } : {}),
  };
}
