import { existsSync, readdirSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive, ResultRecord, readJsonFile, writeJsonAtomic } from '@wslbench/core';
import { z } from 'zod';
import type { GridCell, Manifest } from './manifest.js';

/**
 * What a run folder holds per cell, under results/<cell id>/: result.json (written last, atomically: the only proof
 * a cell is done), error.json (the last failed attempt; earlier ones renamed error-<attempt>.json) and running.json
 * (an attempt started and has not ended). Status, resume and merge read only these files, never an engine's job
 * states (Slurm reports COMPLETED 0:0 for steps that never ran when its cgroup plugins fail).
 */
export const CellResult = z.object({
  schema: z.literal('wslbench/grid-result@1'),
  id: z.string(),
  configHash: z.string(),
  executor: z.string(),
  host: z.string(),
  attempt: z.number().int().positive(),
  startedAt: z.string(),
  finishedAt: z.string(),
  wallS: z.number(),
  /** Copied from a done cell of the same config hash (e.g. the search trial at the final seed), not rerun. */
  reusedFrom: z.string().optional(),
  record: ResultRecord,
});
export type CellResult = z.infer<typeof CellResult>;

export const CellError = z.object({
  schema: z.literal('wslbench/grid-error@1'),
  id: z.string(),
  configHash: z.string(),
  executor: z.string(),
  host: z.string(),
  attempt: z.number().int().positive(),
  at: z.string(),
  message: z.string(),
  /** The last lines the cell wrote to stderr (added by the executor that watched it). */
  stderrTail: z.string().optional(),
  /** The failed record when training itself recorded the failure (divergence). */
  record: ResultRecord.optional(),
});
export type CellError = z.infer<typeof CellError>;

export const CellRunning = z.object({
  host: z.string(),
  pid: z.number().int(),
  executor: z.string(),
  attempt: z.number().int(),
  startedAt: z.string(),
});
export type CellRunning = z.infer<typeof CellRunning>;

export const cellDir = (runDir: string, id: string) => join(runDir, 'results', id);
export const resultFile = (runDir: string, id: string) => join(cellDir(runDir, id), 'result.json');
export const errorFile = (runDir: string, id: string) => join(cellDir(runDir, id), 'error.json');
export const runningFile = (runDir: string, id: string) => join(cellDir(runDir, id), 'running.json');

/** The cell's result when it is valid for this cell's config (schema, id and config hash checked); else null. */
export function readValidResult(runDir: string, cell: GridCell): CellResult | null {
  const file = resultFile(runDir, cell.id);
  if (!existsSync(file)) return null;
  const parsed = CellResult.safeParse(readJsonFile(file));
  if (!parsed.success) return null;
  const r = parsed.data;
  return r.id === cell.id && r.configHash === cell.configHash && r.record.status === 'ok' ? r : null;
}

/** Why a result file is there but not valid (null when there is none or it is valid). */
export function invalidResultReason(runDir: string, cell: GridCell): string | null {
  const file = resultFile(runDir, cell.id);
  if (!existsSync(file)) return null;
  const parsed = CellResult.safeParse(readJsonFile(file));
  if (!parsed.success)
    return `${file}: not a grid result (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`;
  if (parsed.data.configHash !== cell.configHash)
    return `${file}: config hash ${parsed.data.configHash}, the manifest's is ${cell.configHash}`;
  if (parsed.data.id !== cell.id) return `${file}: result of '${parsed.data.id}'`;
  return null;
}

export function readError(runDir: string, id: string): CellError | null {
  const file = errorFile(runDir, id);
  if (!existsSync(file)) return null;
  const parsed = CellError.safeParse(readJsonFile(file));
  if (!parsed.success) throw new Error(`${file}: not a grid error file (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

export function readRunning(runDir: string, id: string): CellRunning | null {
  const file = runningFile(runDir, id);
  if (!existsSync(file)) return null;
  const parsed = CellRunning.safeParse(readJsonFile(file));
  return parsed.success ? parsed.data : null;
}

/** Attempts made so far: the current error.json plus the renamed earlier ones. */
export function attemptsSoFar(runDir: string, id: string): number {
  const dir = cellDir(runDir, id);
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).filter((f) => /^error(-\d+)?\.json$/.test(f)).length;
}

/** Keep the last failure under error-<attempt>.json so the new attempt starts without a current error. */
export function archiveError(runDir: string, id: string): void {
  const e = readError(runDir, id);
  if (e) renameSync(errorFile(runDir, id), join(cellDir(runDir, id), `error-${e.attempt}.json`));
}

export function writeError(
  runDir: string,
  cell: GridCell,
  e: Omit<CellError, 'schema' | 'id' | 'configHash' | 'host' | 'at'>,
): void {
  writeJsonAtomic(errorFile(runDir, cell.id), {
    schema: 'wslbench/grid-error@1',
    id: cell.id,
    configHash: cell.configHash,
    host: hostname(),
    at: new Date().toISOString(),
    ...e,
  } satisfies CellError);
}

export type CellState = 'ok' | 'failed' | 'running' | 'missing';

/**
 * ok: a valid result; failed: an error.json and no attempt under way; running: an attempt started (running.json)
 * and has not ended (it may have been killed: `lost` says so when its pid is known dead on this host); missing: none.
 */
export function cellState(runDir: string, cell: GridCell): { state: CellState; lost?: boolean; detail?: string } {
  if (readValidResult(runDir, cell)) return { state: 'ok' };
  const running = readRunning(runDir, cell.id);
  if (running) {
    const lost = running.host === hostname() && !processAlive(running.pid);
    return { state: 'running', lost, detail: `${running.host} pid ${running.pid} since ${running.startedAt}` };
  }
  const error = readError(runDir, cell.id);
  if (error) return { state: 'failed', detail: `attempt ${error.attempt}: ${error.message.split('\n')[0]}` };
  const invalid = invalidResultReason(runDir, cell);
  return invalid ? { state: 'missing', detail: invalid } : { state: 'missing' };
}

export interface GridStatus {
  counts: Record<CellState, number>;
  cells: { cell: GridCell; state: CellState; lost?: boolean; detail?: string }[];
}

export function gridStatus(runDir: string, manifest: Manifest): GridStatus {
  const counts: Record<CellState, number> = { ok: 0, failed: 0, running: 0, missing: 0 };
  const cells = manifest.cells.map((cell) => {
    const s = cellState(runDir, cell);
    counts[s.state]++;
    return { cell, ...s };
  });
  return { counts, cells };
}

/**
 * The cells a resume submits: every cell without a valid result, except attempts visibly still under way on this
 * host (a live pid). A cell whose attempt was killed elsewhere is resubmitted: a duplicate run is harmless (atomic
 * writes, the first valid result wins, later runs skip).
 */
export function cellsToResume(runDir: string, manifest: Manifest): GridCell[] {
  return gridStatus(runDir, manifest)
    .cells.filter(
      (c) =>
        c.state !== 'ok' &&
        !(c.state === 'running' && c.lost === false && readRunning(runDir, c.cell.id)?.host === hostname()),
    )
    .map((c) => c.cell);
}
