export * from './cells.js';
export * from './grid.js';
export * from './merged-dataset.js';
export * from './overrides.js';
export * from './pool.js';
export * from './pretrain.js';
export * from './probe.js';
export * from './run.js';
