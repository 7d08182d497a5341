// Writes configs/{method}_{backbone}_{dataset}_f0.json for the paper's grid (run: node dist/generate-configs.js).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '@wslbench/core';
import { listMethods } from '@wslbench/registry';
import { PAPER_BACKBONES, PAPER_DATASETS, paperConfig } from './grid.js';

const dir = fileURLToPath(new URL('../configs', import.meta.url));
let n = 0;
for (const m of listMethods())
  for (const backbone of PAPER_BACKBONES)
    for (const dataset of PAPER_DATASETS) {
      writeJsonAtomic(join(dir, `${m.id}_${backbone}_${dataset}_f0.json`), paperConfig(m.id, backbone, dataset));
      n += 1;
    }
process.stdout.write(`wrote ${n} cell configs to ${dir}\n`);
