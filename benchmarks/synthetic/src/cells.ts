import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnyMethod, parseStrict, RunConfig, resultPath } from '@wslbench/core';
import { configName } from './grid.js';
import type { Job } from './pool.js';

export interface Cell {
  name: string;
  config: RunConfig;
}

/** Read every cell config under `dir` (strictly validated; the file name must match its content). */
export function readCellConfigs(dir: string): Cell[] {
  if (!existsSync(dir)) throw new Error(`benchmark configs folder ${dir} is missing`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`);
      }
      const config = parseStrict(RunConfig, raw, file);
      const name = configName(config.method, config.backbone, config.dataset, config.fold);
      if (`${name}.json` !== f)
        throw new Error(`${file}: content describes cell '${name}', the file name does not match`);
      return { name, config };
    });
}

/** A cell is done when its result record exists (ok or failed: failed ones rerun only on request). */
export function cellDone(cell: Cell, resultsDir: string, retryFailed: boolean): boolean {
  const p = join(resultsDir, resultPath(cell.config));
  if (!existsSync(p)) return false;
  if (!retryFailed) return true;
  return (JSON.parse(readFileSync(p, 'utf8')) as { status: string }).status === 'ok';
}

/** Jobs in a dependency-respecting order: a method needing another's classifier (NEGEV <- CAM) runs after it. */
export function cellJobs(
  cells: Cell[],
  methods: Map<string, AnyMethod>,
  extraDeps: (c: Cell) => string[] = () => [],
): Job<Cell>[] {
  const byKey = new Map(cells.map((c) => [key(c.config.method, c), c.name]));
  const jobs = cells.map((c) => {
    const from = methods.get(c.config.method)?.requirements.classifierFrom;
    const dep = from ? byKey.get(key(from, c)) : undefined;
    return { id: c.name, payload: c, after: [...(dep ? [dep] : []), ...extraDeps(c)] };
  });
  // Prerequisites first so that both workers stay busy while dependants wait.
  return jobs.sort((a, b) => a.after.length - b.after.length);
}

function key(method: string, c: Cell): string {
  const k = c.config;
  return `${method}|${k.backbone}|${k.dataset}|${k.fold}|${k.seed}`;
}
