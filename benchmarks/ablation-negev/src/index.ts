export {
  type AblationRow,
  type AblationTable,
  ablationTables,
  negevVariants,
  TABLE_IDS,
  variantKey,
} from './ablations.js';
export { type Measured, renderTable, type TableLayout } from './format.js';
export { type AblationOptions, defaultOptions, parseCli } from './options.js';
export {
  PAPER_BACKBONES,
  PAPER_CAM,
  PAPER_TABLE2,
  PAPER_TABLE3,
  PAPER_TABLE4,
  PAPER_TABLE5,
  type PaperCells,
} from './paper-tables.js';
export { type AblationResult, runAblations } from './run.js';
