import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BACKBONES } from './names.js';

/** Row label -> `<dataset>_<backbone|mean>` -> percent (null where the paper has a dash). */
export type PaperTable = Record<string, Record<string, number | null>>;

export interface PaperTables {
  source: string;
  table1_pxap: PaperTable;
  table6_classification_accuracy: PaperTable;
  [key: string]: unknown;
}

/** Shipped beside src/ and dist/ alike: packages/report/data/paper-tables.json. */
export const PAPER_TABLES_PATH = fileURLToPath(new URL('../data/paper-tables.json', import.meta.url));

let cached: PaperTables | null = null;

export function loadPaperTables(path = PAPER_TABLES_PATH): PaperTables {
  if (path === PAPER_TABLES_PATH && cached) return cached;
  const raw = JSON.parse(readFileSync(path, 'utf8')) as PaperTables;
  for (const key of ['table1_pxap', 'table6_classification_accuracy'] as const) {
    if (typeof raw[key] !== 'object' || raw[key] === null) throw new Error(`${path}: missing table '${key}'`);
  }
  if (path === PAPER_TABLES_PATH) cached = raw;
  return raw;
}

export type Metric = 'pxap' | 'clAccuracy';

export function paperTableFor(metric: Metric, tables = loadPaperTables()): PaperTable {
  return metric === 'pxap' ? tables.table1_pxap : tables.table6_classification_accuracy;
}

/**
 * The paper's value (percent) of a method row for a dataset and base backbone, or the paper's Mean column
 * when `backbone` is 'mean'. Null when the paper has no such cell (e.g. NEGEV and U-Net in Table 6).
 */
export function paperValue(table: PaperTable, paperKey: string, paperDataset: string, backbone: string): number | null {
  if (!paperKey) return null;
  const row = table[paperKey];
  if (!row) return null;
  const v = row[`${paperDataset}_${backbone}`];
  return typeof v === 'number' ? v : null;
}

export const PAPER_BACKBONES = BACKBONES.map((b) => b.id);
