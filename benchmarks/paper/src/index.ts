import { fileURLToPath } from 'node:url';

export * from './grid.js';

/** The versioned cell configs of the paper's protocol (GlaS, CAMELYON16; full-size backbones). */
export const PAPER_CONFIGS_DIR = fileURLToPath(new URL('../configs', import.meta.url));
