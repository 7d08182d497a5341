import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import {
  type AnyMethod,
  type DatasetSource,
  type EvalScores,
  type LocalizeContext,
  parseStrict,
  ResultRecord,
  type RunConfig,
  readJsonFile,
  resultPath,
} from '@wslbench/core';
import {
  type CheckpointHeader,
  type CheckpointName,
  checkpointDir,
  loadRunWeights,
  type RunKey,
  readCheckpointHeader,
  readWeights,
} from './checkpoint.js';
import { evaluateSplit, toEvalScores } from './evaluate.js';
import {
  type BackboneFactory,
  buildModel,
  disposeModel,
  type PretrainedWeights,
  resolveHp,
  runStreams,
} from './model-setup.js';

export interface LocatedCheckpoint {
  dir: string;
  header: CheckpointHeader;
  /** The results folder the run belongs to (for prerequisite weights). */
  resultsDir: string;
}

/** Find a run's checkpoint from a result record (.json), a checkpoint folder, or its state.json. */
export function locateCheckpoint(target: string): LocatedCheckpoint {
  if (!existsSync(target)) throw new Error(`No such result or checkpoint: ${target}`);
  let dir: string;
  let resultsDir: string | undefined;
  if (statSync(target).isDirectory()) dir = target;
  else if (basename(target) === 'state.json') dir = dirname(target);
  else {
    const rec = parseStrict(ResultRecord, readJsonFile(target), `result record ${target}`);
    const rel = resultPath(rec).split('/').join(sep);
    const abs = resolve(target);
    // The record's own location says where its results folder is; fall back to the folder its config named.
    resultsDir = abs.endsWith(sep + rel) ? abs.slice(0, -(rel.length + 1)) : String(rec.config.resultsDir ?? 'results');
    dir = checkpointDir(resultsDir, rec);
  }
  const header = readCheckpointHeader(dir);
  if (!header) throw new Error(`No checkpoint header (state.json) in ${dir}`);
  resultsDir ??= resultsDirOf(dir, header);
  return { dir, header, resultsDir };
}

function resultsDirOf(dir: string, h: CheckpointHeader): string {
  const key = {
    dataset: h.dataset,
    method: h.config.method,
    backbone: h.config.backbone,
    fold: h.config.fold,
    seed: h.config.seed,
  };
  const tail = `${sep}checkpoints${sep}${resultPath(key)
    .replace(/\.json$/, '')
    .split('/')
    .join(sep)}`;
  const abs = resolve(dir);
  return abs.endsWith(tail) ? abs.slice(0, -tail.length) : h.config.resultsDir;
}

/** Weights of the prerequisite run a method declares (`requirements.classifierFrom`), or undefined when none. */
export function pretrainedFor(
  method: AnyMethod,
  resultsDir: string,
  run: Omit<RunKey, 'method'>,
  which: CheckpointName = 'best_localization',
): PretrainedWeights | undefined {
  const from = method.requirements.classifierFrom;
  if (!from) return undefined;
  return { method: from, weights: loadRunWeights(resultsDir, { ...run, method: from }, which) };
}

export interface EvaluateDeps {
  method: AnyMethod;
  dataset: DatasetSource;
  createBackbone: BackboneFactory;
  pretrained?: PretrainedWeights;
  /** Which kept snapshot (default: the one the run reports, config.selection.report). */
  which?: CheckpointName;
  evalBatchSize?: number;
}

export interface CheckpointEvaluation {
  which: CheckpointName;
  epoch: number;
  scores: EvalScores;
  testForegroundFraction: number;
  /** Class names by id (from the dataset's encoding), for per-class output. */
  classNames: string[];
}

/** Re-evaluate a kept snapshot on test, exactly as the end of trainRun does (same streams, same maps). */
export async function evaluateCheckpoint(loc: LocatedCheckpoint, deps: EvaluateDeps): Promise<CheckpointEvaluation> {
  const { method, dataset } = deps;
  const config: RunConfig = loc.header.config;
  if (config.method !== method.id)
    throw new Error(`Checkpoint ${loc.dir} is a '${config.method}' run, not '${method.id}'`);
  if (loc.header.dataset !== dataset.id)
    throw new Error(`Checkpoint ${loc.dir} is on dataset '${loc.header.dataset}', not '${dataset.id}'`);
  const which = deps.which ?? config.selection.report;
  const ref = loc.header.best[which];
  if (!ref) throw new Error(`Checkpoint ${loc.dir} has no '${which}' snapshot`);
  const hp = resolveHp(method, config.hp);
  const built = buildModel(method, config, hp, dataset, deps.createBackbone, deps.pretrained);
  try {
    built.params.restore(readWeights(loc.dir, ref.weights));
    const streams = runStreams(config, method.id, dataset.id);
    const ctx: LocalizeContext<unknown> = { hp, rng: streams.eval('test', 'final'), numClasses: dataset.numClasses };
    const r = await evaluateSplit(method, built.model, dataset, 'test', {
      input: config.input,
      batchSize: deps.evalBatchSize ?? config.optimizer.batchSize,
      mean: built.backbone.mean,
      std: built.backbone.std,
      localization: true,
      classification: true,
      ctx,
    });
    const classNames: string[] = [];
    for (const [name, id] of Object.entries(dataset.encoding)) classNames[id] = name;
    return {
      which,
      epoch: ref.epoch,
      scores: toEvalScores(r),
      testForegroundFraction: r.foregroundFraction!,
      classNames,
    };
  } finally {
    disposeModel(built);
  }
}

export interface EvaluateRecordDeps extends Omit<EvaluateDeps, 'method' | 'dataset' | 'pretrained'> {
  getMethod: (id: string) => AnyMethod;
  openDataset: (config: RunConfig) => DatasetSource | Promise<DatasetSource>;
  /** Snapshot of the prerequisite run to build with (default best_localization). */
  pretrainedWhich?: CheckpointName;
}

/** `wslbench evaluate RESULT_OR_CHECKPOINT`: locate, rebuild, restore and evaluate on test. */
export async function evaluateRecord(
  target: string,
  deps: EvaluateRecordDeps,
): Promise<CheckpointEvaluation & { dir: string }> {
  const loc = locateCheckpoint(target);
  const method = deps.getMethod(loc.header.config.method);
  const dataset = await deps.openDataset(loc.header.config);
  const c = loc.header.config;
  const pretrained = pretrainedFor(
    method,
    loc.resultsDir,
    { dataset: loc.header.dataset, backbone: c.backbone, fold: c.fold, seed: c.seed },
    deps.pretrainedWhich,
  );
  const out = await evaluateCheckpoint(loc, { ...deps, method, dataset, ...(pretrained ? { pretrained } : {}) });
  return { ...out, dir: loc.dir };
}
