import { join } from 'node:path';
import {
  type AnyMethod,
  type DatasetSource,
  describeMethod,
  type EnvInfo,
  type EvalScores,
  type LocalizeContext,
  type MethodModel,
  type ParamStore,
  parseStrict,
  ResultRecord,
  type RunConfig,
  resultPath,
  type SelectionEntry,
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
import { resolveHp, runStreams } from './model-setup.js';
import type { Durations } from './run-clock.js';
import { selectedEpoch } from './selection.js';

const NAMES = ['best_localization', 'best_classification'] as const;

interface BestState {
  epoch: number;
  score: number;
  snapshot: WeightSnapshot;
  /** On disk already (from an earlier epoch), or 'current' when taken at the epoch being checkpointed. */
  source: 'current' | BlobRef;
}

/** What every evaluation pass of a run shares (geometry, batch size, normalisation, abort). */
export type EvalCommon = Pick<SplitEvalOptions, 'input' | 'batchSize' | 'mean' | 'std' | 'signal'>;

/** The state a checkpoint shares across the runs of one training (the weights and optimizer are the training's). */
export interface TrainingState {
  epoch: number;
  complete: boolean;
  weights: () => WeightSnapshot;
  optimizer: WeightSnapshot | undefined;
  firstLoss: number | null;
  durations: Durations;
}

/** The id whose training this method's run is (its own unless it declares another's: `trainingOf`). */
export function trainingIdOf(method: AnyMethod, hp: Record<string, unknown>): string {
  return method.trainingOf?.(hp) ?? method.id;
}

/**
 * One method's run: its resolved config, its selection history and kept snapshots, its checkpoint folder and its
 * record. Several of them follow one training when their methods share it (`trainingOf`); each evaluates with its
 * own maps and its own evaluation streams, so it selects exactly as it would on its own.
 */
export class SelectedRun {
  readonly config: RunConfig;
  readonly hp: Record<string, unknown>;
  readonly ckptDir: string;
  readonly recordPath: string;
  selection: SelectionEntry[] = [];
  private best: Record<CheckpointName, BestState | null> = { best_localization: null, best_classification: null };
  private readonly evalStreams: ReturnType<typeof runStreams>;

  /** `config` as checkRunConfigs returns it (checked, hp resolved). */
  constructor(
    readonly method: AnyMethod,
    config: RunConfig,
    private readonly dataset: DatasetSource,
  ) {
    this.hp = resolveHp(method, config.hp);
    this.config = { ...config, hp: this.hp };
    const key = { ...this.key(), dataset: dataset.id };
    this.ckptDir = checkpointDir(config.resultsDir, key);
    this.recordPath = join(config.resultsDir, resultPath(key));
    this.evalStreams = runStreams(this.config, method.id, dataset.id);
  }

  get trainingId(): string {
    return trainingIdOf(this.method, this.hp);
  }

  /** The checkpoint this run would resume from, checked to be this run's (null: none on disk). */
  readCheckpoint(): CheckpointHeader | null {
    const header = readCheckpointHeader(this.ckptDir);
    if (header) checkResumable(header, this.config, this.dataset.id, this.ckptDir);
    return header;
  }

  /** Take over the selection history and kept snapshots of a checkpoint read by readCheckpoint. */
  restoreSelection(header: CheckpointHeader): void {
    this.selection = header.selection;
    for (const name of NAMES) {
      const b = header.best[name];
      this.best[name] = b
        ? { epoch: b.epoch, score: b.score, snapshot: readWeights(this.ckptDir, b.weights), source: b.weights }
        : null;
    }
  }

  /**
   * Few-shot PxAP on valpx (this method's maps) and accuracy on valcl at `epoch`; the current weights become a kept
   * snapshot when the selection rule picks this epoch. Returns the entry and whether it is the best localization.
   */
  async select(
    model: MethodModel,
    /** The current weights (taken once per epoch and shared by the runs that keep them). */
    snapshot: () => WeightSnapshot,
    common: EvalCommon,
    epoch: number,
    trainLoss: number | null,
    lr: number | null,
  ): Promise<{ entry: SelectionEntry; bestLocalization: boolean }> {
    const px = await evaluateSplit(this.method, model, this.dataset, 'valpx', {
      ...common,
      localization: true,
      classification: false,
      ctx: this.localizeContext(this.evalStreams.eval('valpx', epoch)),
    });
    const cl = await evaluateSplit(this.method, model, this.dataset, 'valcl', {
      ...common,
      localization: false,
      classification: true,
      ctx: this.localizeContext(this.evalStreams.eval('valcl', epoch)),
    });
    const entry: SelectionEntry = { epoch, pxap: px.pxap!, clAccuracy: cl.clAccuracy!, trainLoss, lr };
    this.selection.push(entry);
    const picked = { best_localization: false, best_classification: false };
    for (const name of NAMES) {
      if (selectedEpoch(this.selection, name, this.config.selection.fromEpoch) !== epoch) continue;
      const score = name === 'best_localization' ? entry.pxap : entry.clAccuracy;
      this.best[name] = { epoch, score, snapshot: snapshot(), source: 'current' };
      picked[name] = true;
    }
    return { entry, bestLocalization: picked.best_localization };
  }

  /** Write this run's checkpoint at the training's state; a finished run keeps only its best snapshots. */
  checkpoint(state: TrainingState): void {
    const current =
      this.best.best_localization?.source === 'current' || this.best.best_classification?.source === 'current';
    const header = writeCheckpoint(this.ckptDir, {
      header: {
        config: this.config,
        dataset: this.dataset.id,
        epoch: state.epoch,
        complete: state.complete,
        selection: this.selection,
        firstLoss: state.firstLoss,
        durations: state.durations,
      },
      weights: !state.complete || current ? state.weights() : undefined,
      optimizer: state.complete ? undefined : state.optimizer,
      best: {
        best_localization: this.best.best_localization && { ...this.best.best_localization },
        best_classification: this.best.best_classification && { ...this.best.best_classification },
      },
    });
    // From now on the snapshots are on disk under the header's refs.
    for (const name of NAMES) {
      const b = this.best[name];
      if (b) b.source = header.best[name]!.weights;
    }
  }

  /** Test scores of a kept snapshot (restored into the model), with the same streams as `wslbench evaluate`. */
  async test(
    name: CheckpointName,
    model: MethodModel,
    params: ParamStore,
    common: EvalCommon,
    onMaps?: SplitEvalOptions['onMaps'],
  ): Promise<{ epoch: number; scores: EvalScores; fg: number }> {
    const b = this.best[name];
    if (!b) throw new Error(`no '${name}' snapshot to evaluate`);
    params.restore(b.snapshot);
    const r = await evaluateSplit(this.method, model, this.dataset, 'test', {
      ...common,
      localization: true,
      classification: true,
      ctx: this.localizeContext(this.evalStreams.eval('test', 'final')),
      ...(onMaps ? { onMaps } : {}),
    });
    return { epoch: b.epoch, scores: toEvalScores(r), fg: r.foregroundFraction! };
  }

  /** The reported checkpoint's test scores, then the other one's (same epoch -> same scores, not re-run). */
  async testReported(
    model: MethodModel,
    params: ParamStore,
    common: EvalCommon,
    onMaps?: SplitEvalOptions['onMaps'],
  ): Promise<{ reported: Awaited<ReturnType<SelectedRun['test']>>; bestClassification: EvalScores }> {
    const reportName = this.config.selection.report;
    const otherName: CheckpointName = reportName === 'best_localization' ? 'best_classification' : 'best_localization';
    const reported = await this.test(reportName, model, params, common, onMaps);
    const other =
      this.best[otherName]?.epoch === reported.epoch ? reported : await this.test(otherName, model, params, common);
    return { reported, bestClassification: (reportName === 'best_classification' ? reported : other).scores };
  }

  okRecord(t: Awaited<ReturnType<SelectedRun['testReported']>>, durations: Durations, env: EnvInfo): ResultRecord {
    return this.write({
      ...this.recordBase(durations, env),
      status: 'ok',
      test: t.reported.scores,
      testBestClassification: t.bestClassification,
      testForegroundFraction: t.reported.fg,
    });
  }

  failedRecord(
    failure: { reason: string; epoch: number; step: number | null },
    durations: Durations,
    env: EnvInfo,
  ): ResultRecord {
    return this.write({
      ...this.recordBase(durations, env),
      status: 'failed',
      failure,
      test: null,
      testBestClassification: null,
    });
  }

  private key() {
    const c = this.config;
    return { method: this.method.id, backbone: c.backbone, fold: c.fold, seed: c.seed };
  }

  private localizeContext(rng: LocalizeContext<unknown>['rng']): LocalizeContext<unknown> {
    return { hp: this.hp, rng, numClasses: this.dataset.numClasses };
  }

  private recordBase(durations: Durations, env: EnvInfo) {
    return {
      schema: 'wslbench/result@1' as const,
      ...this.key(),
      methodInfo: describeMethod(this.method),
      dataset: this.dataset.id,
      config: this.config as unknown as Record<string, unknown>,
      selection: this.selection,
      bestLocalizationEpoch: this.best.best_localization?.epoch ?? null,
      bestClassificationEpoch: this.best.best_classification?.epoch ?? null,
      durations,
      env,
      createdAt: new Date().toISOString(),
    };
  }

  private write(r: ResultRecord): ResultRecord {
    const valid = parseStrict(ResultRecord, r, `result record for ${this.recordPath}`);
    writeJsonAtomic(this.recordPath, valid);
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
