import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type RunConfig,
  readJsonFile,
  resultPath,
  type SelectionEntry,
  type WeightSnapshot,
  writeJsonAtomic,
} from '@wslbench/core';
import { type BlobRef, readBlob, writeBlob } from './blob.js';

export const CHECKPOINT_FORMAT = 'wslbench/checkpoint@1';
export const CHECKPOINT_HEADER = 'state.json';

export type CheckpointName = 'best_localization' | 'best_classification';

/** A kept snapshot: the epoch it was taken at, its selection score, and its weights on disk. */
export interface BestRef {
  epoch: number;
  score: number;
  weights: BlobRef;
}

/**
 * The JSON header of a run's checkpoint folder. Weights live in Float32 blobs named by epoch
 * (`weights-e<E>.bin`, `optimizer-e<E>.bin`); a best snapshot taken at epoch E points at `weights-e<E>.bin`,
 * so each epoch's weights are written once and kept only while something refers to them.
 */
export interface CheckpointHeader {
  format: typeof CHECKPOINT_FORMAT;
  /** Resolved run config (method hp parsed, defaults filled). */
  config: RunConfig;
  /** Dataset id the run was keyed by (the record's `dataset`). */
  dataset: string;
  /** Completed training epochs; 0 = the evaluation before training is done. */
  epoch: number;
  /** Training and selection finished (the final test evaluation may still be pending). */
  complete: boolean;
  selection: SelectionEntry[];
  best: Record<CheckpointName, BestRef | null>;
  /** Model weights (incl. batch-norm running statistics) at `epoch`; null once complete and not a best snapshot. */
  weights: BlobRef | null;
  /** SGD momentum buffers at `epoch`; null before the first step and once complete. */
  optimizer: BlobRef | null;
  /**
   * Loss of the run's first training step: the divergence bound's reference, kept so that a resumed run keeps the same
   * bound (null before the first step). Every random stream is derived afresh per epoch, so none needs saving.
   */
  firstLoss: number | null;
  durations: { trainS: number; evalS: number; totalS: number };
  savedAt: string;
}

export interface RunKey {
  dataset: string;
  method: string;
  backbone: string;
  fold: number;
  seed: number;
}

/** `<resultsDir>/checkpoints/<the result's path without .json>/`. */
export function checkpointDir(resultsDir: string, run: RunKey): string {
  return join(resultsDir, 'checkpoints', resultPath(run).replace(/\.json$/, ''));
}

export function readCheckpointHeader(dir: string): CheckpointHeader | null {
  const path = join(dir, CHECKPOINT_HEADER);
  if (!existsSync(path)) return null;
  const header = readJsonFile(path) as CheckpointHeader;
  if (header.format !== CHECKPOINT_FORMAT) {
    throw new Error(`Checkpoint header ${path}: format '${String(header.format)}', expected '${CHECKPOINT_FORMAT}'`);
  }
  return header;
}

export function readWeights(dir: string, ref: BlobRef): WeightSnapshot {
  return readBlob(join(dir, ref.file), ref);
}

export interface CheckpointWrite {
  header: Omit<CheckpointHeader, 'format' | 'weights' | 'optimizer' | 'best' | 'savedAt'>;
  /** Current weights; omitted once complete (then only best snapshots are kept). */
  weights?: WeightSnapshot;
  optimizer?: WeightSnapshot;
  /** Best snapshots: `'current'` when taken at this epoch (shares the weights blob), else the existing ref. */
  best: Record<CheckpointName, { epoch: number; score: number; source: 'current' | BlobRef } | null>;
}

/**
 * Write a checkpoint: new blobs first (atomically, under new names), then the header (atomically), then remove
 * blobs the header no longer refers to. A crash at any point leaves the previous header and its blobs intact.
 */
export function writeCheckpoint(dir: string, w: CheckpointWrite): CheckpointHeader {
  const e = w.header.epoch;
  const weights = w.weights ? writeBlob(join(dir, `weights-e${e}.bin`), `weights-e${e}.bin`, w.weights) : null;
  const optimizer = w.optimizer
    ? writeBlob(join(dir, `optimizer-e${e}.bin`), `optimizer-e${e}.bin`, w.optimizer)
    : null;
  const best = {} as Record<CheckpointName, BestRef | null>;
  for (const name of ['best_localization', 'best_classification'] as const) {
    const b = w.best[name];
    if (!b) {
      best[name] = null;
      continue;
    }
    if (b.source === 'current') {
      if (!weights) throw new Error(`writeCheckpoint: ${name} refers to the current weights, which were not given`);
      best[name] = { epoch: b.epoch, score: b.score, weights };
    } else best[name] = { epoch: b.epoch, score: b.score, weights: b.source };
  }
  const header: CheckpointHeader = {
    format: CHECKPOINT_FORMAT,
    ...w.header,
    best,
    weights,
    optimizer,
    savedAt: new Date().toISOString(),
  };
  writeJsonAtomic(join(dir, CHECKPOINT_HEADER), header);
  const keep = new Set([
    weights?.file,
    optimizer?.file,
    best.best_localization?.weights.file,
    best.best_classification?.weights.file,
  ]);
  for (const f of readdirSync(dir)) if (f.endsWith('.bin') && !keep.has(f)) rmSync(join(dir, f), { force: true });
  return header;
}

/**
 * Weights of a finished (or running) run's kept snapshot, e.g. the CAM classifier that NEGEV starts from.
 * Errors name the folder and what is missing.
 */
export function loadRunWeights(resultsDir: string, run: RunKey, which: CheckpointName): WeightSnapshot {
  const dir = checkpointDir(resultsDir, run);
  const header = readCheckpointHeader(dir);
  if (!header)
    throw new Error(
      `No checkpoint for ${run.method}/${run.backbone} on ${run.dataset} f${run.fold} s${run.seed}: ${dir} has no ${CHECKPOINT_HEADER}`,
    );
  const ref = header.best[which];
  if (!ref) throw new Error(`Checkpoint ${dir} has no '${which}' snapshot (no evaluation recorded yet)`);
  return readWeights(dir, ref.weights);
}
