// Choose each cell's seed from a restart search and rewrite the cell configs
// (run: npm run restarts [-- <search dir> [<seeds, default 0,1,2>]]).
// The search: wslbench bench synthetic --seeds 0,1,2 --results results/search --no-report

import { resolve } from 'node:path';
import type { AnyMethod } from '@wslbench/core';
import { listMethods } from '@wslbench/registry';
import { readCellConfigs } from './cells.js';
import { RESTART_SEEDS } from './grid.js';
import { chooseRestarts, RESTARTS_FILE, readRestartsFile, writeRestartsFile } from './restarts.js';
import { DEFAULT_CONFIGS_DIR, parseSeedList } from './run.js';
import { writeCellConfigs } from './write-configs.js';

// npm runs package scripts in the package folder: a relative path is the caller's (INIT_CWD).
const searchDir = resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2] ?? 'results/search');
const methods = new Map<string, AnyMethod>(listMethods().map((m) => [m.id, m]));
try {
  const seeds = process.argv[3] ? parseSeedList(process.argv[3], 'seeds') : [...RESTART_SEEDS];
  const cells = readCellConfigs(DEFAULT_CONFIGS_DIR);
  const restarts = chooseRestarts(cells, seeds, searchDir, methods, readRestartsFile(RESTARTS_FILE));
  writeRestartsFile(RESTARTS_FILE, restarts);
  const counts = new Map<number, number>();
  for (const c of Object.values(restarts.cells)) counts.set(c.seed, (counts.get(c.seed) ?? 0) + 1);
  process.stdout.write(
    `chose seeds for ${Object.keys(restarts.cells).length} cells (${[...counts].map(([s, n]) => `seed ${s}: ${n}`).join(', ')}) -> ${RESTARTS_FILE}\n`,
  );
  const { written } = writeCellConfigs(DEFAULT_CONFIGS_DIR, restarts);
  process.stdout.write(`wrote ${written} cell configs to ${DEFAULT_CONFIGS_DIR}\n`);
} catch (e) {
  process.stderr.write(`choose-restarts: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
