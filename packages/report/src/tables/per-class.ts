import type { ClassPxap, ResultRecord } from '@wslbench/core';
import {
  backboneDisplay,
  compareBackbones,
  compareDatasets,
  compareMethods,
  datasetInfo,
  methodInfo,
  noteMethods,
  parseBackbone,
} from '../names.js';
import { mean } from '../stats.js';
import { cellRuns } from './leaderboard.js';
import { fmt1 } from './render.js';

/** One (dataset, backbone, class) column: the class's images only; only classes with foreground get one. */
export interface PerClassColumn {
  dataset: string;
  datasetDisplay: string;
  backbone: string;
  backboneDisplay: string;
  classId: number;
  className: string;
  /** Mean over the column's runs of the class's foreground fraction (= its constant-map PxAP), fraction. */
  foregroundFraction: number;
}

export interface PerClassRow {
  method: string;
  display: string;
  /** Mean per-class PxAP (fraction) over the runs that stored it; null when none did. */
  cells: (number | null)[];
}

export interface PerClassModel {
  columns: PerClassColumn[];
  rows: PerClassRow[];
}

const perClassOf = (r: ResultRecord) => (r.status === 'ok' && r.test?.pxapPerClass) || null;

/**
 * Per-class PxAP on test (records in fractions, as loadRecords gives them): rows = methods with a classifier map
 * (U-Net included), columns = dataset x backbone x class with foreground. Records without `pxapPerClass` (older
 * runs) are left out of the means.
 */
export function perClassTable(records: readonly ResultRecord[]): PerClassModel {
  noteMethods(records);
  const withClasses = records.filter((r) => perClassOf(r));
  const columns: PerClassColumn[] = [];
  for (const ds of [...new Set(withClasses.map((r) => r.dataset))].sort(compareDatasets)) {
    const info = datasetInfo(ds);
    const inDs = withClasses.filter((r) => r.dataset === ds);
    for (const base of [...new Set(inDs.map((r) => parseBackbone(r.backbone).base))].sort(compareBackbones)) {
      const runs = inDs.filter((r) => parseBackbone(r.backbone).base === base).map((r) => perClassOf(r)!);
      const nClasses = Math.max(...runs.map((pc) => pc.length));
      for (let k = 0; k < nClasses; k++) {
        const entries = runs.map((pc) => pc[k]).filter((c): c is ClassPxap => c !== undefined);
        if (!entries.some((c) => c.pxap !== null)) continue; // no foreground in this class (CAMELYON normal)
        columns.push({
          dataset: ds,
          datasetDisplay: info.display,
          backbone: base,
          backboneDisplay: backboneDisplay(base),
          classId: k,
          className: info.classes[k] ?? `class ${k}`,
          foregroundFraction: mean(entries.map((c) => c.foregroundFraction)),
        });
      }
    }
  }
  const methods = [...new Set(withClasses.map((r) => r.method))].sort(compareMethods);
  const rows = methods.map((method) => ({
    method,
    display: methodInfo(method).display,
    cells: columns.map((col) => {
      const vals = cellRuns(withClasses, method, col.dataset, col.backbone)
        .map((r) => perClassOf(r)![col.classId]?.pxap)
        .filter((v): v is number => typeof v === 'number');
      return vals.length ? mean(vals) : null;
    }),
  }));
  return { columns, rows };
}

/** Markdown: PxAP per class (%), a first row with each class's foreground fraction, † = below it. */
export function renderPerClassMarkdown(model: PerClassModel): string {
  if (!model.columns.length) return '_No record carries per-class PxAP yet._';
  const head = ['Method', ...model.columns.map((c) => `${c.datasetDisplay} · ${c.backboneDisplay} · ${c.className}`)];
  const lines = [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? ':--' : '--:')).join(' | ')} |`,
    `| *foreground fraction* | ${model.columns.map((c) => `*${fmt1(100 * c.foregroundFraction)}*`).join(' | ')} |`,
  ];
  for (const row of model.rows) {
    const cells = row.cells.map((v, j) => {
      if (v === null) return '—';
      return `${fmt1(100 * v)}${v < model.columns[j]!.foregroundFraction ? ' †' : ''}`;
    });
    lines.push(`| ${[row.display, ...cells].join(' | ')} |`);
  }
  return [
    lines.join('\n'),
    '',
    "- PxAP over each class's own images (its ground-truth-class maps); † = below that class's foreground fraction, the PxAP of a constant map. Far below means the maps are high where the other class's evidence is absent (negative evidence) instead of on the class's own regions.",
    '- Classes without foreground (CAMELYON normal) have no column: in the pooled PxAP they only add false positives.',
  ].join('\n');
}
