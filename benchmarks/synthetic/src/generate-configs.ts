// Writes configs/{method}_{backbone}_{dataset}_f0.json for every cell of the synthetic grid (run: npm run configs).
// The files are versioned: edit a cell's hyper-parameters there, or change the grid here and regenerate.

import { join, relative } from 'node:path';
import { writeJsonAtomic } from '@wslbench/core';
import { listMethods } from '@wslbench/registry';
import { CPU_BACKBONES, configName, SYNTHETIC_DATASETS, synthSettings } from './grid.js';
import { cellConfig } from './overrides.js';
import { pretrainedFile } from './pretrain.js';
import { DEFAULT_CONFIGS_DIR } from './run.js';

let n = 0;
for (const m of listMethods())
  for (const backbone of CPU_BACKBONES)
    for (const dataset of SYNTHETIC_DATASETS) {
      const config = {
        ...cellConfig(m.id, backbone, dataset),
        synth: synthSettings()[dataset],
        encoderInit: { file: relative(process.cwd(), pretrainedFile(backbone)) },
      };
      writeJsonAtomic(join(DEFAULT_CONFIGS_DIR, `${configName(m.id, backbone, dataset, 0)}.json`), config);
      n += 1;
    }
process.stdout.write(`wrote ${n} cell configs to ${DEFAULT_CONFIGS_DIR}\n`);
