import { cpSync, existsSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { type ResultRecord, RunConfig, resultPath, writeJsonAtomic } from '@wslbench/core';
import { findCell, type GridCell, type Manifest, readManifest } from './manifest.js';
import {
  archiveError,
  attemptsSoFar,
  type CellResult,
  readValidResult,
  resultFile,
  runningFile,
  writeError,
} from './run-folder.js';

/** Trains one resolved config and returns its record (the trainer's `runConfigured` in production). */
export type TrainFn = (config: RunConfig, opts: { signal: AbortSignal; resume: boolean }) => Promise<ResultRecord>;

export interface RunCellOptions {
  train: TrainFn;
  executor: string;
  signal?: AbortSignal;
  /** Test hook for the executors' failure paths: a cell listed as a file in this folder fails once (the file is consumed). */
  faultDir?: string;
}

export type CellOutcome =
  | { status: 'skipped'; cell: GridCell }
  | { status: 'ok'; cell: GridCell; result: CellResult }
  | { status: 'failed'; cell: GridCell; message: string };

/** Checkpoints of the prerequisite cell's run, copied where the trainer looks for them (its own results folder). */
function bringPrerequisite(runDir: string, manifest: Manifest, cell: GridCell, resultsDir: string): void {
  if (!cell.dependsOn) return;
  const dep = findCell(manifest, { id: cell.dependsOn });
  if (!readValidResult(runDir, dep))
    throw new Error(`cell ${cell.id} needs the classifier of ${dep.id}, which has no valid result yet (run it first)`);
  const rel = join('checkpoints', resultPath(dep).replace(/\.json$/, ''));
  const from = join(runDir, String(dep.config.resultsDir), rel);
  if (!existsSync(from)) throw new Error(`cell ${cell.id}: ${dep.id} has a result but no checkpoints under ${from}`);
  cpSync(from, join(resultsDir, rel), { recursive: true });
}

/** A done cell of the same config (a search trial at the seed its chosen config is then run at). */
function reusableTwin(runDir: string, manifest: Manifest, cell: GridCell): CellResult | null {
  for (const other of manifest.cells) {
    if (other.id === cell.id || other.configHash !== cell.configHash) continue;
    const r = readValidResult(runDir, other);
    if (r) return r;
  }
  return null;
}

/** The twin's run is this cell's run (same config, same seeded streams): its result and checkpoints are copied. */
function reuseTwin(runDir: string, cell: GridCell, twin: CellResult, executor: string): CellOutcome {
  const twinCell = join(runDir, 'cells', twin.id);
  const resultsDir = join(runDir, String(cell.config.resultsDir));
  if (existsSync(twinCell)) cpSync(twinCell, resultsDir, { recursive: true });
  const now = new Date().toISOString();
  const result: CellResult = {
    ...twin,
    id: cell.id,
    executor,
    host: hostname(),
    startedAt: now,
    finishedAt: now,
    wallS: 0,
    reusedFrom: twin.id,
    record: { ...twin.record, config: { ...twin.record.config, resultsDir } },
  };
  writeJsonAtomic(resultFile(runDir, cell.id), result);
  return { status: 'ok', cell, result };
}

/**
 * Run one cell of a run folder. Idempotent: a valid result with the same config hash returns at once. The result is
 * written last and atomically; a failure leaves error.json (attempt, message) beside it. Training resumes from the
 * cell's last epoch checkpoint, so a cell killed mid-run continues where it stopped, to the same numbers.
 */
export async function runCell(
  runDirIn: string,
  sel: { index?: number; id?: string },
  opts: RunCellOptions,
): Promise<CellOutcome> {
  const runDir = resolve(runDirIn);
  const manifest = readManifest(runDir);
  const cell = findCell(manifest, sel);
  if (readValidResult(runDir, cell)) return { status: 'skipped', cell };
  const twin = reusableTwin(runDir, manifest, cell);
  if (twin) return reuseTwin(runDir, cell, twin, opts.executor);
  archiveError(runDir, cell.id);
  const attempt = attemptsSoFar(runDir, cell.id) + 1;
  const startedAt = new Date();
  writeJsonAtomic(runningFile(runDir, cell.id), {
    host: hostname(),
    pid: process.pid,
    executor: opts.executor,
    attempt,
    startedAt: startedAt.toISOString(),
  });
  const fail = (message: string, record?: ResultRecord): CellOutcome => {
    writeError(runDir, cell, { executor: opts.executor, attempt, message, ...(record ? { record } : {}) });
    rmSync(runningFile(runDir, cell.id), { force: true });
    return { status: 'failed', cell, message };
  };
  try {
    if (opts.faultDir && existsSync(join(opts.faultDir, cell.id))) {
      rmSync(join(opts.faultDir, cell.id));
      throw new Error(`injected fault (${join(opts.faultDir, cell.id)})`);
    }
    const resultsDir = join(runDir, String(cell.config.resultsDir));
    bringPrerequisite(runDir, manifest, cell, resultsDir);
    const config = RunConfig.parse({ ...cell.config, resultsDir });
    const record = await opts.train(config, { signal: opts.signal ?? new AbortController().signal, resume: true });
    if (record.status !== 'ok')
      return fail(`training failed: ${record.failure?.reason ?? 'no reason recorded'}`, record);
    const finishedAt = new Date();
    const result: CellResult = {
      schema: 'wslbench/grid-result@1',
      id: cell.id,
      configHash: cell.configHash,
      executor: opts.executor,
      host: hostname(),
      attempt,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      wallS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      record,
    };
    rmSync(runningFile(runDir, cell.id), { force: true });
    // A duplicate attempt (a killed worker's cell picked up elsewhere) may have finished first: keep the first result.
    if (readValidResult(runDir, cell)) return { status: 'skipped', cell };
    writeJsonAtomic(resultFile(runDir, cell.id), result);
    return { status: 'ok', cell, result };
  } catch (e) {
    if (opts.signal?.aborted) {
      // Interrupted, not failed: the checkpoint stays for the next attempt; running.json goes so status says missing.
      rmSync(runningFile(runDir, cell.id), { force: true });
      throw e;
    }
    return fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}
