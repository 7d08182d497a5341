import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '@wslbench/core';
import { listMethods } from '@wslbench/registry';
import { CPU_BACKBONES, configName, SYNTHETIC_DATASETS, synthSettings } from './grid.js';
import { cellConfig } from './overrides.js';
import { pretrainedFile } from './pretrain.js';
import type { RestartsFile } from './restarts.js';

/** Runs start in the repository root: encoder paths are written relative to it, wherever the generator runs. */
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Write configs/{method}_{backbone}_{dataset}_f0.json for every cell of the synthetic grid: the grid's config, its
 * overrides, and the seed chosen by the restart search (restarts.json; seed 0 for a cell it does not list).
 * Returns how many cells were written and how many had no restart choice.
 */
export function writeCellConfigs(dir: string, restarts?: RestartsFile): { written: number; unchosen: string[] } {
  let written = 0;
  const unchosen: string[] = [];
  for (const m of listMethods())
    for (const backbone of CPU_BACKBONES)
      for (const dataset of SYNTHETIC_DATASETS) {
        const name = configName(m.id, backbone, dataset, 0);
        const chosen = restarts?.cells[name];
        if (!chosen) unchosen.push(name);
        const config = {
          ...cellConfig(m.id, backbone, dataset),
          ...(chosen ? { seed: chosen.seed } : {}),
          synth: synthSettings()[dataset],
          encoderInit: { file: relative(REPO_ROOT, pretrainedFile(backbone)) },
        };
        writeJsonAtomic(join(dir, `${name}.json`), config);
        written += 1;
      }
  return { written, unchosen };
}
