import type { AblationTable } from './ablations.js';
import { PAPER_BACKBONES } from './paper-tables.js';

/** Measured PxAP by row label, dataset id and backbone id (with its width tag). */
export type Measured = (row: string, dataset: string, backbone: string) => number | null | undefined;

export interface TableLayout {
  datasets: { id: string; paper: 'glas' | 'camelyon16'; hasFullyNegative: boolean }[];
  backbones: string[];
}

const cell = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(1);

/**
 * A table with, per dataset, one "ours (paper)" column per backbone and the means. The paper column is the paper's
 * value for the same backbone family (the width tag is ignored) and its reported mean.
 */
export function renderTable(table: AblationTable, layout: TableLayout, measured: Measured): string {
  const header = ['row'];
  for (const d of layout.datasets) {
    for (const b of layout.backbones) header.push(`${d.id} ${b}`);
    header.push(`${d.id} mean`);
  }
  const rows: string[][] = [header];
  for (const r of table.rows) {
    const line = [r.label];
    for (const d of layout.datasets) {
      const paper = r.paper[d.paper];
      const ours: number[] = [];
      for (const b of layout.backbones) {
        const idx = PAPER_BACKBONES.indexOf(b.split(':')[0] as (typeof PAPER_BACKBONES)[number]);
        const v = r.needsFullyNegative && !d.hasFullyNegative ? null : measured(r.label, d.id, b);
        if (typeof v === 'number' && Number.isFinite(v)) ours.push(v);
        line.push(`${cell(v)} (${cell(idx >= 0 ? paper[idx] : null)})`);
      }
      const mean =
        ours.length === layout.backbones.length && ours.length ? ours.reduce((a, b) => a + b, 0) / ours.length : null;
      line.push(`${cell(mean)} (${cell(paper[3])})`);
    }
    rows.push(line);
  }
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]) => r.map((s, c) => (c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join('  ');
  return [
    `${table.title} — ours (paper)`,
    fmt(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(fmt),
  ].join('\n');
}
