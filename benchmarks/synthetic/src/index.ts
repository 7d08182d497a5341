export * from './cells.js';
export * from './grid.js';
export * from './pool.js';
export * from './run.js';
export * from './pretrain.js';
export * from './merged-dataset.js';
