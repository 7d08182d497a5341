import type { ResultRecord } from '@wslbench/core';
import type { TopLevelSpec } from 'vega-lite';
import {
  BACKBONES,
  backboneDisplay,
  compareDatasets,
  compareMethods,
  DATASETS,
  datasetInfo,
  methodDisplayOrder,
  methodInfo,
  noteMethods,
  parseBackbone,
} from '../names.js';
import type { LeaderboardModel } from '../tables/leaderboard.js';
import { leaderboardTable } from '../tables/leaderboard.js';

/** Vega-lite specs of the report's four chart kinds. Data is inlined, so a saved spec renders on its own. */

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'DejaVu Sans', background: 'white', view: { stroke: '#ccc' } } as const;

const methodSort = () => methodDisplayOrder();
const backboneSort = () => BACKBONES.map((b) => b.display);
const datasetSort = () => DATASETS.map((d) => d.display);

/** A run's id within its (dataset, method, backbone): 'f0-s1'. */
const runId = (r: ResultRecord) => `f${r.fold}-s${r.seed}`;

const okRuns = (records: readonly ResultRecord[]) => {
  noteMethods(records);
  return records
    .filter((r) => r.status === 'ok')
    .sort((a, b) => compareDatasets(a.dataset, b.dataset) || compareMethods(a.method, b.method));
};

export interface BarDatum {
  dataset: string;
  method: string;
  backbone: string;
  pxap: number;
  std: number | null;
  lo: number;
  hi: number;
  n: number;
}

export function pxapBarData(records: readonly ResultRecord[]): BarDatum[] {
  const model = leaderboardTable(records, { metric: 'pxap' });
  const out: BarDatum[] = [];
  for (const row of model.rows) {
    row.cells.forEach((c, j) => {
      const col = model.columns[j]!;
      if (col.backbone === 'mean' || c.mean === null) return;
      const s = c.std ?? 0;
      out.push({
        dataset: col.datasetDisplay,
        method: row.display,
        backbone: col.backboneDisplay,
        pxap: c.mean,
        std: c.std,
        lo: c.mean - s,
        hi: c.mean + s,
        n: c.n,
      });
    });
  }
  return out;
}

/**
 * Grouped bars: PxAP by method (x) and backbone (offset, colour), one panel per dataset, panels stacked so the chart
 * stays one method axis wide (two panels side by side were ~2300 px wide); error bars = ±1 std.
 */
export function pxapBarsSpec(records: readonly ResultRecord[]): TopLevelSpec {
  const values = pxapBarData(records);
  const nBackbones = new Set(values.map((v) => v.backbone)).size || 1;
  const x = { field: 'method', type: 'nominal', sort: methodSort(), title: null, axis: { labelAngle: -45 } } as const;
  const xOffset = { field: 'backbone', type: 'nominal', sort: backboneSort() } as const;
  return {
    $schema: SCHEMA,
    title: {
      text: 'PxAP on test by method and backbone',
      subtitle: 'mean over runs; error bars ±1 sample std where 2+ runs',
    },
    data: { values },
    facet: {
      row: { field: 'dataset', type: 'nominal', sort: datasetSort(), title: null, header: { labelFontSize: 13 } },
    },
    spec: {
      width: { step: Math.max(10 * nBackbones + 8, 22), for: 'position' },
      height: 220,
      layer: [
        {
          mark: 'bar',
          encoding: {
            x,
            xOffset,
            y: { field: 'pxap', type: 'quantitative', title: 'PxAP (%)', scale: { domain: [0, 100] } },
            color: { field: 'backbone', type: 'nominal', sort: backboneSort(), title: 'Backbone' },
            tooltip: [
              { field: 'method' },
              { field: 'backbone' },
              { field: 'pxap', format: '.1f', title: 'PxAP (%)' },
              { field: 'std', format: '.1f' },
              { field: 'n', title: 'runs' },
            ],
          },
        },
        {
          // lo = hi (invisible) for cells with a single run.
          mark: { type: 'rule', color: 'black' },
          encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
        },
      ],
    },
    config: CONFIG,
  } as TopLevelSpec;
}

const downsample = <T>(xs: readonly T[], max: number): T[] => {
  if (xs.length <= max) return [...xs];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (max - 1))]!);
  return out;
};

export interface PrDatum {
  method: string;
  backbone: string;
  run: string;
  i: number;
  recall: number;
  precision: number;
}

/** Points of the stored test PR curves of one dataset (percent), at most `maxPoints` per curve. */
export function prCurveData(records: readonly ResultRecord[], dataset: string, maxPoints = 100): PrDatum[] {
  const out: PrDatum[] = [];
  for (const r of okRuns(records)) {
    if (r.dataset !== dataset || !r.test?.curve) continue;
    const { precision, recall } = r.test.curve;
    if (precision.length !== recall.length) {
      throw new Error(`${r.dataset}/${r.method}/${r.backbone}/${runId(r)}: test.curve precision/recall lengths differ`);
    }
    const idx = downsample([...precision.keys()], maxPoints);
    for (const [i, k] of idx.entries()) {
      out.push({
        method: methodInfo(r.method).display,
        backbone: backboneDisplay(parseBackbone(r.backbone).base),
        run: `${r.method}/${r.backbone}/${runId(r)}`,
        i,
        recall: 100 * recall[k]!,
        precision: 100 * precision[k]!,
      });
    }
  }
  return out;
}

/** Pixel precision-recall curves on test, one line per run coloured by method, one panel per backbone. */
export function prCurvesSpec(records: readonly ResultRecord[], dataset: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: {
      text: `Pixel precision–recall on test: ${datasetInfo(dataset).display}`,
      subtitle: 'best-localization checkpoint of each run',
    },
    data: { values: prCurveData(records, dataset) },
    facet: { column: { field: 'backbone', type: 'nominal', sort: backboneSort(), title: null } },
    spec: {
      width: 240,
      height: 240,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'recall', type: 'quantitative', title: 'Recall (%)', scale: { domain: [0, 100] } },
        y: { field: 'precision', type: 'quantitative', title: 'Precision (%)', scale: { domain: [0, 100] } },
        color: {
          field: 'method',
          type: 'nominal',
          sort: methodSort(),
          title: 'Method',
          scale: { scheme: 'tableau20' },
        },
        detail: { field: 'run', type: 'nominal' },
        order: { field: 'i', type: 'quantitative' },
      },
    },
    config: CONFIG,
  } as TopLevelSpec;
}

export interface SelectionDatum {
  method: string;
  backbone: string;
  run: string;
  metric: string;
  epoch: number;
  value: number;
  selected: boolean;
}

export const SELECTION_METRICS = ['Few-shot PxAP (%)', 'CL accuracy (%)'] as const;

/** Few-shot PxAP and CL accuracy per evaluated epoch of every run of one dataset (percent). */
export function selectionData(records: readonly ResultRecord[], dataset: string): SelectionDatum[] {
  const out: SelectionDatum[] = [];
  for (const r of okRuns(records)) {
    if (r.dataset !== dataset) continue;
    for (const s of r.selection) {
      const base = {
        method: methodInfo(r.method).display,
        backbone: backboneDisplay(parseBackbone(r.backbone).base),
        run: `${r.method}/${r.backbone}/${runId(r)}`,
        epoch: s.epoch,
      };
      out.push({
        ...base,
        metric: SELECTION_METRICS[0],
        value: 100 * s.pxap,
        selected: s.epoch === r.bestLocalizationEpoch,
      });
      out.push({
        ...base,
        metric: SELECTION_METRICS[1],
        value: 100 * s.clAccuracy,
        selected: s.epoch === r.bestClassificationEpoch,
      });
    }
  }
  return out;
}

/**
 * Model-selection curves of one dataset: few-shot PxAP (top) and CL accuracy (bottom) per epoch, one panel
 * per backbone; the dots mark the epoch each criterion selects (best localization / best classification).
 */
export function selectionCurvesSpec(records: readonly ResultRecord[], dataset: string): TopLevelSpec {
  const encoding = {
    x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1 } },
    y: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 100] } },
    color: { field: 'method', type: 'nominal', sort: methodSort(), title: 'Method', scale: { scheme: 'tableau20' } },
    detail: { field: 'run', type: 'nominal' },
  };
  return {
    $schema: SCHEMA,
    title: {
      text: `Model selection: ${datasetInfo(dataset).display}`,
      subtitle: 'few-shot validation scores per epoch; dots: selected epoch',
    },
    data: { values: selectionData(records, dataset) },
    facet: {
      row: { field: 'metric', type: 'nominal', sort: [...SELECTION_METRICS], title: null },
      column: { field: 'backbone', type: 'nominal', sort: backboneSort(), title: null },
    },
    spec: {
      width: 240,
      height: 150,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding },
        { transform: [{ filter: 'datum.selected' }], mark: { type: 'point', filled: true, size: 50 }, encoding },
      ],
    },
    config: CONFIG,
  } as TopLevelSpec;
}

export interface ScatterDatum {
  dataset: string;
  method: string;
  backbone: string;
  paper: number;
  ours: number;
}

const scatterPanel = (col: LeaderboardModel['columns'][number]) =>
  col.synthetic ? `${col.datasetDisplay} vs paper ${datasetInfo(col.paperDataset!).display}` : col.datasetDisplay;

/** (paper, ours) per backbone cell of a leaderboard built with `paper: true`. */
export function paperScatterData(model: LeaderboardModel): ScatterDatum[] {
  if (!model.paper) throw new Error('paperScatterData: the leaderboard must be built with { paper: true }');
  const out: ScatterDatum[] = [];
  for (const row of model.rows) {
    row.cells.forEach((c, j) => {
      const col = model.columns[j]!;
      if (col.backbone === 'mean' || c.mean === null || c.paper === null || c.paper === undefined) return;
      out.push({
        dataset: scatterPanel(col),
        method: row.display,
        backbone: col.backboneDisplay,
        paper: c.paper,
        ours: c.mean,
      });
    });
  }
  return out;
}

/** Ours vs the paper: one point per (method, backbone) cell, one panel per dataset, with the y = x diagonal. */
export function paperScatterSpec(model: LeaderboardModel): TopLevelSpec {
  const metric = model.metric === 'pxap' ? 'PxAP (%)' : 'CL accuracy (%)';
  const values = paperScatterData(model);
  return {
    $schema: SCHEMA,
    title: {
      text: `Ours vs the paper: ${metric}`,
      subtitle: 'synthetic datasets are compared with the paper’s real ones',
    },
    data: { values },
    facet: {
      column: { field: 'dataset', type: 'nominal', title: null, sort: [...new Set(model.columns.map(scatterPanel))] },
    },
    spec: {
      width: 260,
      height: 260,
      layer: [
        {
          // One diagonal per panel: aggregate the panel's rows to a single datum.
          transform: [{ aggregate: [{ op: 'count', as: 'n' }] }],
          mark: { type: 'rule', color: '#999', strokeDash: [4, 4] },
          encoding: {
            x: { datum: 0, type: 'quantitative' },
            y: { datum: 0, type: 'quantitative' },
            x2: { datum: 100 },
            y2: { datum: 100 },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x: { field: 'paper', type: 'quantitative', title: `Paper ${metric}`, scale: { domain: [0, 100] } },
            y: { field: 'ours', type: 'quantitative', title: `Our ${metric}`, scale: { domain: [0, 100] } },
            color: {
              field: 'method',
              type: 'nominal',
              sort: methodSort(),
              title: 'Method',
              scale: { scheme: 'tableau20' },
            },
            shape: { field: 'backbone', type: 'nominal', sort: backboneSort(), title: 'Backbone' },
            tooltip: [
              { field: 'method' },
              { field: 'backbone' },
              { field: 'paper', format: '.1f' },
              { field: 'ours', format: '.1f' },
            ],
          },
        },
      ],
    },
    config: CONFIG,
  } as TopLevelSpec;
}
