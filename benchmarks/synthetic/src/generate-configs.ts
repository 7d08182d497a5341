// Writes configs/{method}_{backbone}_{dataset}_f0.json for every cell of the synthetic grid (run: npm run configs).
// The files are versioned: edit a cell's hyper-parameters there, or change the grid here and regenerate.
import { writeJsonAtomic } from '@wslbench/core';
import { listMethods } from '@wslbench/registry';
import { join } from 'node:path';
import { DEFAULT_CONFIGS_DIR } from './run.js';
import { baseConfig, CPU_BACKBONES, configName, SYNTH_COUNTS, SYNTH_IMAGE_SIZE, SYNTHETIC_DATASETS } from './grid.js';
import { cellOverrides } from './overrides.js';
import { encoderInitFor } from './pretrain.js';

let n = 0;
for (const m of listMethods())
  for (const backbone of CPU_BACKBONES)
    for (const dataset of SYNTHETIC_DATASETS) {
      const c = baseConfig(m.id, backbone, dataset);
      const counts = SYNTH_COUNTS[dataset];
      const config = {
        ...c,
        synth: {
          size: SYNTH_IMAGE_SIZE,
          seed: 0,
          counts: { train: [...counts.train], valcl: [...counts.valcl], test: [...counts.test], valpx: counts.valpx },
        },
        encoderInit: encoderInitFor(backbone, 'results'),
        ...cellOverrides(m.id, backbone, dataset, c),
      };
      writeJsonAtomic(join(DEFAULT_CONFIGS_DIR, `${configName(m.id, backbone, dataset, 0)}.json`), config);
      n += 1;
    }
process.stdout.write(`wrote ${n} cell configs to ${DEFAULT_CONFIGS_DIR}\n`);
