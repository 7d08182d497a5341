import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  type AnyMethod,
  type BackboneInstance,
  type Batch,
  type DatasetSource,
  describeMethod,
  disposeBatch,
  type EnvInfo,
  type EvalScores,
  parseStrict,
  ResultRecord,
  RunConfig,
  resultPath,
  type SelectionEntry,
  type StepContext,
  type WeightSnapshot,
  writeJsonAtomic,
} from '@wslbench/core';
import type { BlobRef } from './blob.js';
import {
  type CheckpointHeader,
  type CheckpointName,
  checkpointDir,
  readCheckpointHeader,
  readWeights,
  writeCheckpoint,
} from './checkpoint.js';
import { evaluateSplit, type SplitEvalOptions, toEvalScores } from './evaluate.js';
import {
  type BackboneFactory,
  buildModel,
  disposeModel,
  type PretrainedWeights,
  resolveHp,
  runStreams,
} from './model-setup.js';
import { defaultProgress, type ProgressSink } from './progress.js';
import { lrForEpoch } from './schedule.js';
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

/** A non-finite loss: the run ends with a failed record (no stack dump). */
class NonFiniteLoss extends Error {
  constructor(
    readonly value: number,
    readonly epoch: number,
    readonly step: number,
  ) {
    super(`non-finite training loss (${value}) at epoch ${epoch}, step ${step}`);
  }
}

interface BestState {
  epoch: number;
  score: number;
  snapshot: WeightSnapshot;
  /** On disk already (from an earlier epoch), or 'current' when taken at the epoch being checkpointed. */
  source: 'current' | BlobRef;
}

/**
 * Train a method on a dataset under the protocol, select checkpoints by few-shot PxAP (valpx) and valcl accuracy,
 * evaluate the reported one on test, and write the result record atomically to `<resultsDir>/<resultPath>`.
 * Returns the record (status 'failed' when the loss became non-finite).
 */
export async function trainRun(configIn: RunConfig, deps: TrainDeps): Promise<ResultRecord> {
  const t0 = performance.now();
  const { method, dataset } = deps;
  const parsed = parseStrict(RunConfig, configIn, 'run config');
  if (parsed.method !== method.id)
    throw new Error(`run config names method '${parsed.method}' but the trainer was given '${method.id}'`);
  if (parsed.selection.fromEpoch > parsed.epochs)
    throw new Error(
      `run config: selection.fromEpoch ${parsed.selection.fromEpoch} is after the last epoch (${parsed.epochs}); no checkpoint could be selected`,
    );
  const hp = resolveHp(method, parsed.hp);
  const config: RunConfig = { ...parsed, hp };
  const key = {
    dataset: dataset.id,
    method: method.id,
    backbone: config.backbone,
    fold: config.fold,
    seed: config.seed,
  };
  const ckptDir = checkpointDir(config.resultsDir, key);
  const recordPath = join(config.resultsDir, resultPath(key));
  const progress = deps.progress ?? defaultProgress();
  const streams = runStreams(config, method.id, dataset.id);
  const opt = config.optimizer;
  const evalBatchSize = deps.evalBatchSize ?? opt.batchSize;

  const built = buildModel(method, config, hp, dataset, deps.createBackbone, deps.pretrained);
  const { model, params, backbone } = built;
  const sgd = new NesterovSgd(params.trainable(), opt);
  const paramByVar = new Map(params.trainable().map((p) => [p.variable.name, p.name]));

  let selection: SelectionEntry[] = [];
  const best: Record<CheckpointName, BestState | null> = { best_localization: null, best_classification: null };
  let startEpoch = 0; // epochs already done (0 = nothing, not even the initial evaluation)
  let evaluatedInitial = false;
  let complete = false;
  const prior = { trainS: 0, evalS: 0, totalS: 0 };
  let trainS = 0;
  let evalS = 0;
  let lastCheckpointEpoch: number | null = null;

  const ctxFor = (epoch: number, step: number, rng = streams.step(epoch)): StepContext<unknown> => ({
    hp,
    rng,
    epoch,
    step,
    numClasses: dataset.numClasses,
  });
  const evalCommon = {
    input: config.input,
    batchSize: evalBatchSize,
    mean: backbone.mean,
    std: backbone.std,
    signal: deps.signal,
  };

  try {
    if (deps.resume) {
      const header = readCheckpointHeader(ckptDir);
      if (header) {
        checkResumable(header, config, dataset.id, ckptDir);
        if (header.weights) params.restore(readWeights(ckptDir, header.weights));
        if (header.optimizer) sgd.loadState(readWeights(ckptDir, header.optimizer));
        for (const name of ['best_localization', 'best_classification'] as const) {
          const b = header.best[name];
          best[name] = b
            ? { epoch: b.epoch, score: b.score, snapshot: readWeights(ckptDir, b.weights), source: b.weights }
            : null;
        }
        selection = header.selection;
        startEpoch = header.epoch;
        evaluatedInitial = true;
        complete = header.complete;
        Object.assign(prior, header.durations);
        lastCheckpointEpoch = header.epoch;
        progress.log(`resuming ${method.id}/${config.backbone} from epoch ${header.epoch} (${ckptDir})`);
      } else progress.log(`no checkpoint in ${ckptDir}: starting from scratch`);
    }
    if (!evaluatedInitial && deps.initBackbone) await deps.initBackbone(backbone);

    const durations = () => ({
      trainS: prior.trainS + trainS,
      evalS: prior.evalS + evalS,
      totalS: prior.totalS + (performance.now() - t0) / 1000,
    });

    /** Few-shot PxAP on valpx + accuracy on valcl; updates both best snapshots (ties -> the latest epoch). */
    const selectAt = async (epoch: number, trainLoss: number | null, lr: number | null) => {
      const te = performance.now();
      const px = await evaluateSplit(method, model, dataset, 'valpx', {
        ...evalCommon,
        localization: true,
        classification: false,
        ctx: ctxFor(epoch, 0, streams.eval('valpx', epoch)),
      });
      const clr = await evaluateSplit(method, model, dataset, 'valcl', {
        ...evalCommon,
        localization: false,
        classification: true,
        ctx: ctxFor(epoch, 0, streams.eval('valcl', epoch)),
      });
      evalS += (performance.now() - te) / 1000;
      const entry: SelectionEntry = { epoch, pxap: px.pxap!, clAccuracy: clr.clAccuracy!, trainLoss, lr };
      selection.push(entry);
      let snap: WeightSnapshot | undefined;
      const take = () => {
        snap ??= params.snapshot();
        return snap;
      };
      const eligible = epoch >= config.selection.fromEpoch;
      const bl = best.best_localization;
      const isBestLoc = eligible && (!bl || entry.pxap >= bl.score);
      if (isBestLoc) best.best_localization = { epoch, score: entry.pxap, snapshot: take(), source: 'current' };
      const bc = best.best_classification;
      if (eligible && (!bc || entry.clAccuracy >= bc.score)) {
        best.best_classification = { epoch, score: entry.clAccuracy, snapshot: take(), source: 'current' };
      }
      progress.evaluated({ ...entry, bestLocalization: isBestLoc });
    };

    const checkpoint = (epoch: number, done: boolean) => {
      const header = writeCheckpoint(ckptDir, {
        header: { config, dataset: dataset.id, epoch, complete: done, selection, rng: {}, durations: durations() },
        // A finished run keeps only its best snapshots (the last weights too when they are one of them).
        weights:
          !done || best.best_localization?.source === 'current' || best.best_classification?.source === 'current'
            ? params.snapshot()
            : undefined,
        optimizer: done ? undefined : sgd.state(),
        best: {
          best_localization: best.best_localization && { ...best.best_localization },
          best_classification: best.best_classification && { ...best.best_classification },
        },
      });
      // From now on the snapshots are on disk under the header's refs.
      for (const name of ['best_localization', 'best_classification'] as const) {
        const b = best[name];
        if (b) b.source = header.best[name]!.weights;
      }
      lastCheckpointEpoch = epoch;
    };

    const stepsPerEpoch = Math.ceil(dataset.size('train') / opt.batchSize);
    progress.start({
      run: `${method.id}/${config.backbone} ${dataset.id} f${config.fold} s${config.seed}`,
      epochs: config.epochs,
      firstEpoch: startEpoch + 1,
      stepsPerEpoch,
    });

    if (!evaluatedInitial) {
      await selectAt(0, null, null);
      checkpoint(0, config.epochs === 0);
    }
    try {
      for (let epoch = startEpoch + 1; epoch <= config.epochs && !complete; epoch++) {
        const lrs = lrForEpoch(opt, epoch);
        const tt = performance.now();
        const meanLoss = await trainEpoch(epoch, lrs);
        trainS += (performance.now() - tt) / 1000;
        if (epoch % config.selection.every === 0 || epoch === config.epochs) await selectAt(epoch, meanLoss, lrs.base);
        checkpoint(epoch, epoch === config.epochs);
        deps.signal?.throwIfAborted();
      }
    } catch (e) {
      if (e instanceof NonFiniteLoss) {
        progress.log(`run failed: ${e.message}`);
        return writeRecord(failedRecord(e));
      }
      if (deps.signal?.aborted) throw new RunInterruptedError(lastCheckpointEpoch, ckptDir);
      throw e;
    }

    // Final evaluation on test: the reported checkpoint, then best_classification (same weights -> same scores).
    const te = performance.now();
    const testOf = async (name: CheckpointName): Promise<{ scores: EvalScores; fg: number }> => {
      const b = best[name];
      if (!b) throw new Error(`no '${name}' snapshot to evaluate`);
      params.restore(b.snapshot);
      const r = await evaluateSplit(method, model, dataset, 'test', {
        ...evalCommon,
        localization: true,
        classification: true,
        ctx: ctxFor(b.epoch, 0, streams.eval('test', 'final')),
        ...(name === config.selection.report && deps.onTestMaps ? { onMaps: deps.onTestMaps } : {}),
      });
      return { scores: toEvalScores(r), fg: r.foregroundFraction! };
    };
    const reportName = config.selection.report;
    const otherName: CheckpointName = reportName === 'best_localization' ? 'best_classification' : 'best_localization';
    const reported = await testOf(reportName);
    const other = best[otherName]!.epoch === best[reportName]!.epoch ? reported : await testOf(otherName);
    evalS += (performance.now() - te) / 1000;
    const bestCls = reportName === 'best_classification' ? reported : other;
    progress.log(
      `test (${reportName}, epoch ${best[reportName]!.epoch}): PxAP ${reported.scores.pxap.toFixed(2)} ` +
        `CL ${reported.scores.clAccuracy.toFixed(2)} IoU ${reported.scores.iou.toFixed(2)} Dice ${reported.scores.dice.toFixed(2)}`,
    );
    return writeRecord({
      ...recordBase(),
      status: 'ok',
      test: reported.scores,
      testBestClassification: bestCls.scores,
      testForegroundFraction: reported.fg,
    });
  } finally {
    progress.stop();
    sgd.dispose();
    disposeModel(built);
  }

  // ---- helpers closing over the run's state ----

  async function trainEpoch(epoch: number, lrs: { base: number; head: number }): Promise<number> {
    const rng = streams.step(epoch);
    const vars = params.trainable().map((p) => p.variable);
    let sum = 0;
    let step = 0;
    const batches = dataset.batches('train', {
      batchSize: opt.batchSize,
      mode: 'train',
      input: config.input,
      rng: streams.data(epoch),
      withMasks: method.requirements.pixelMasks === true,
      mean: backbone.mean,
      std: backbone.std,
    });
    for await (const batch of batches) {
      try {
        deps.signal?.throwIfAborted();
        step++;
        const loss = trainStep(batch, vars, ctxFor(epoch, step, rng), lrs, epoch, step);
        sum += loss;
        progress.step({ epoch, step, loss });
      } finally {
        disposeBatch(batch);
      }
    }
    if (step === 0) throw new Error(`Dataset '${dataset.id}': the train split gave no batch`);
    return sum / step;
  }

  function trainStep(
    batch: Batch,
    vars: tf.Variable[],
    ctx: StepContext<unknown>,
    lrs: { base: number; head: number },
    epoch: number,
    step: number,
  ): number {
    const { value, grads } = tf.variableGrads(() => method.loss(model, batch, ctx), vars);
    try {
      const loss = value.dataSync()[0]!;
      if (!Number.isFinite(loss)) throw new NonFiniteLoss(loss, epoch, step);
      const named = new Map<string, tf.Tensor>();
      for (const [varName, g] of Object.entries(grads)) named.set(paramByVar.get(varName)!, g);
      sgd.step(named, lrs);
      return loss;
    } finally {
      value.dispose();
      tf.dispose(Object.values(grads));
    }
  }

  function recordBase() {
    return {
      schema: 'wslbench/result@1' as const,
      method: method.id,
      methodInfo: describeMethod(method),
      backbone: config.backbone,
      dataset: dataset.id,
      fold: config.fold,
      seed: config.seed,
      config: config as unknown as Record<string, unknown>,
      selection,
      bestLocalizationEpoch: best.best_localization?.epoch ?? null,
      bestClassificationEpoch: best.best_classification?.epoch ?? null,
      durations: {
        trainS: prior.trainS + trainS,
        evalS: prior.evalS + evalS,
        totalS: prior.totalS + (performance.now() - t0) / 1000,
      },
      env: deps.env,
      createdAt: new Date().toISOString(),
    };
  }

  function failedRecord(e: NonFiniteLoss): ResultRecord {
    return {
      ...recordBase(),
      status: 'failed',
      failure: { reason: e.message, epoch: e.epoch, step: e.step },
      test: null,
      testBestClassification: null,
    };
  }

  function writeRecord(r: ResultRecord): ResultRecord {
    const valid = parseStrict(ResultRecord, r, `result record for ${recordPath}`);
    writeJsonAtomic(recordPath, valid);
    return valid;
  }
}

/** The checkpoint must come from the same run: everything but `epochs` (which may grow) and `resultsDir` must match. */
function checkResumable(header: CheckpointHeader, config: RunConfig, datasetId: string, dir: string): void {
  const a = { ...header.config, epochs: 0, resultsDir: '' };
  const b = { ...config, epochs: 0, resultsDir: '' };
  const diffs = Object.keys({ ...a, ...b }).filter(
    (k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k]),
  );
  if (header.dataset !== datasetId) diffs.push('dataset id');
  if (diffs.length) throw new Error(`Cannot resume from ${dir}: the config differs in ${diffs.join(', ')}`);
  if (header.complete && header.epoch !== config.epochs) {
    throw new Error(
      `Cannot resume from ${dir}: that run finished at epoch ${header.epoch} (requested ${config.epochs} epochs)`,
    );
  }
}
