// Writes configs/{method}_{backbone}_{dataset}_f0.json for every cell of the synthetic grid (run: npm run configs).
// The files are versioned: edit a cell's hyper-parameters there, or change the grid here and regenerate.

import { RESTARTS_FILE, readRestartsFile } from './restarts.js';
import { DEFAULT_CONFIGS_DIR } from './run.js';
import { writeCellConfigs } from './write-configs.js';

const { written, unchosen } = writeCellConfigs(DEFAULT_CONFIGS_DIR, readRestartsFile(RESTARTS_FILE));
process.stdout.write(`wrote ${written} cell configs to ${DEFAULT_CONFIGS_DIR}\n`);
if (unchosen.length) process.stdout.write(`${unchosen.length} cell(s) not in ${RESTARTS_FILE}: seed 0\n`);
