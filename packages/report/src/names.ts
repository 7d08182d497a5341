import { readFileSync } from 'node:fs';
import type { MethodGroup, ResultRecord } from '@wslbench/core';

/** Display names and order of methods (from the records), datasets and backbones, following the paper's Table 1. */

export interface MethodInfo {
  id: string;
  /** Short name shown in tables and charts (the method descriptor's title). */
  display: string;
  /** Row key in paper-tables.json (the paper's full row label); '' when the paper has no row. */
  paperKey: string;
  group: MethodGroup;
}

/**
 * Methods as their results records describe them (`methodInfo`, written from each method's descriptor): the report
 * keeps no method table of its own. Records are noted as they are loaded or handed to a table or chart.
 */
const NOTED = new Map<string, MethodInfo>();

export function noteMethods(records: readonly Pick<ResultRecord, 'method' | 'methodInfo'>[]): void {
  for (const r of records) {
    const m = r.methodInfo;
    if (m) NOTED.set(r.method, { id: r.method, display: m.title, paperKey: m.paperKey ?? '', group: m.group });
  }
}

/** Row order of the paper's Table 1 = the registry's order (registry.test.ts checks they agree). */
let paperRows: Map<string, number> | undefined;
function paperRow(key: string): number {
  if (!paperRows) {
    // Read here rather than through paper.ts, which imports this module.
    const tables = JSON.parse(readFileSync(new URL('../data/paper-tables.json', import.meta.url), 'utf8'));
    paperRows = new Map(Object.keys(tables.table1_pxap as object).map((k, i) => [k, i]));
  }
  return paperRows.get(key) ?? paperRows.size;
}

/**
 * A method's names and position: weakly-supervised methods first, each group in the paper's row order (the
 * registry's), methods without a paper row after them by name. Unknown ids (records without `methodInfo`) show
 * their id.
 */
export function methodInfo(id: string): MethodInfo & { order: number } {
  const info = NOTED.get(id) ?? { id, display: id, paperKey: '', group: 'weakly-supervised' as const };
  return { ...info, order: (info.group === 'fully-supervised' ? 1000 : 0) + paperRow(info.paperKey) };
}

export function compareMethods(a: string, b: string): number {
  const [x, y] = [methodInfo(a), methodInfo(b)];
  return x.order - y.order || x.display.localeCompare(y.display) || a.localeCompare(b);
}

/** Display names of the noted methods in table order (chart legends). */
export function methodDisplayOrder(): string[] {
  return [...NOTED.keys()].sort(compareMethods).map((id) => methodInfo(id).display);
}

export interface DatasetInfo {
  id: string;
  display: string;
  /** The paper's dataset whose columns this one is compared with (null: no counterpart). */
  paperDataset: 'glas' | 'camelyon16' | null;
  /** A synthetic stand-in: comparisons with the paper are labelled as such. */
  synthetic: boolean;
  /** Class names by class id (the datasets' encoding). */
  classes: readonly string[];
}

export const DATASETS: readonly DatasetInfo[] = [
  {
    id: 'synth-glas',
    display: 'Synthetic GlaS',
    paperDataset: 'glas',
    synthetic: true,
    classes: ['benign', 'malignant'],
  },
  {
    id: 'synth-camelyon',
    display: 'Synthetic CAMELYON16',
    paperDataset: 'camelyon16',
    synthetic: true,
    classes: ['normal', 'tumor'],
  },
  { id: 'glas', display: 'GlaS', paperDataset: 'glas', synthetic: false, classes: ['benign', 'malignant'] },
  {
    id: 'camelyon16',
    display: 'CAMELYON16',
    paperDataset: 'camelyon16',
    synthetic: false,
    classes: ['normal', 'tumor'],
  },
];

/** Named groups of datasets for `writeLeaderboard` (file leaderboard-<group>.*). */
export const DATASET_GROUPS: Readonly<Record<string, readonly string[]>> = {
  synthetic: ['synth-glas', 'synth-camelyon'],
  paper: ['glas', 'camelyon16'],
};

export function datasetInfo(id: string): DatasetInfo & { order: number } {
  const i = DATASETS.findIndex((d) => d.id === id);
  if (i >= 0) return { ...DATASETS[i]!, order: i };
  return { id, display: id, paperDataset: null, synthetic: false, classes: [], order: DATASETS.length };
}

export function compareDatasets(a: string, b: string): number {
  return datasetInfo(a).order - datasetInfo(b).order || a.localeCompare(b);
}

/** Paper column order and header names of the base backbones. */
export const BACKBONES: readonly { id: string; display: string }[] = [
  { id: 'vgg16', display: 'VGG' },
  { id: 'inceptionv3', display: 'Inception' },
  { id: 'resnet50', display: 'ResNet' },
];

/** 'vgg16:w0.125' -> { base: 'vgg16', tag: 'w0.125' }; columns group by the base id, tags go to a note. */
export function parseBackbone(id: string): { base: string; tag: string | null } {
  const i = id.indexOf(':');
  return i < 0 ? { base: id, tag: null } : { base: id.slice(0, i), tag: id.slice(i + 1) };
}

export function backboneDisplay(base: string): string {
  return BACKBONES.find((b) => b.id === base)?.display ?? base;
}

export function compareBackbones(a: string, b: string): number {
  const order = (x: string) => {
    const i = BACKBONES.findIndex((bb) => bb.id === x);
    return i < 0 ? BACKBONES.length : i;
  };
  return order(a) - order(b) || a.localeCompare(b);
}
