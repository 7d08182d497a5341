import { resolve } from 'node:path';
import type { GridCell, Manifest } from './manifest.js';
import { readValidResult } from './run-folder.js';
import { type CellCommand, spawnCell } from './spawn-cell.js';

export interface LocalRunOptions {
  command: CellCommand;
  /** Parallel slots (default: one per GPU given, else 1). */
  jobs?: number;
  /** GPU ids, one slot each in turn (CUDA_VISIBLE_DEVICES of the child). */
  gpus?: readonly string[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface LocalRunSummary {
  ok: string[];
  failed: string[];
  /** Not started: their prerequisite cell has no valid result. */
  blocked: string[];
}

/**
 * Run cells as child processes, `jobs` at a time; a cell whose prerequisite is among the cells waits for it and is
 * not started when it fails. Each child is `wslbench cell` (the same unit every executor runs).
 */
export async function runLocal(
  runDir: string,
  manifest: Manifest,
  cells: readonly GridCell[],
  opts: LocalRunOptions,
): Promise<LocalRunSummary> {
  const dir = resolve(runDir);
  const jobs = Math.max(1, opts.jobs ?? (opts.gpus?.length || 1));
  const log = opts.log ?? (() => {});
  const todo = new Set(cells.map((c) => c.id));
  const byId = new Map(manifest.cells.map((c) => [c.id, c]));
  const done = new Map<string, boolean>();
  const summary: LocalRunSummary = { ok: [], failed: [], blocked: [] };
  const pending = [...cells];
  const freeGpus = [...(opts.gpus ?? [])];
  let running = 0;
  return new Promise((finish, reject) => {
    const depState = (c: GridCell): 'ready' | 'wait' | 'blocked' => {
      if (!c.dependsOn) return 'ready';
      if (done.has(c.dependsOn)) return done.get(c.dependsOn) ? 'ready' : 'blocked';
      if (todo.has(c.dependsOn)) return 'wait';
      const dep = byId.get(c.dependsOn);
      return dep && readValidResult(dir, dep) ? 'ready' : 'blocked';
    };
    const pump = () => {
      for (let i = 0; i < pending.length && running < jobs && !opts.signal?.aborted; ) {
        const c = pending[i] as GridCell;
        const s = depState(c);
        if (s === 'wait') {
          i++;
          continue;
        }
        pending.splice(i, 1);
        if (s === 'blocked') {
          summary.blocked.push(c.id);
          done.set(c.id, false);
          log(`blocked ${c.id} (prerequisite ${c.dependsOn} has no valid result)`);
          continue;
        }
        start(c);
      }
      if (running === 0 && (pending.length === 0 || opts.signal?.aborted)) finish(summary);
      else if (running === 0) {
        // Only waiting cells remain and nothing runs: their prerequisites are outside this run and not done.
        for (const c of pending.splice(0)) summary.blocked.push(c.id);
        finish(summary);
      }
    };
    const start = (c: GridCell) => {
      running++;
      const gpu = freeGpus.shift();
      log(`start ${c.id}${gpu !== undefined ? ` (GPU ${gpu})` : ''}`);
      spawnCell(opts.command, dir, c, {
        executor: 'local',
        env: { ...opts.env, ...(gpu !== undefined ? { CUDA_VISIBLE_DEVICES: gpu } : {}) },
        ...(opts.signal ? { signal: opts.signal } : {}),
      })
        .then((o) => {
          running--;
          if (gpu !== undefined) freeGpus.push(gpu);
          done.set(c.id, o.ok);
          (o.ok ? summary.ok : summary.failed).push(c.id);
          log(`${o.ok ? 'ok' : 'FAILED'} ${c.id}`);
          pump();
        })
        .catch(reject);
    };
    pump();
  });
}
