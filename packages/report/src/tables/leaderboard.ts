import type { ResultRecord } from '@wslbench/core';
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
import { type BootstrapSettings, DEFAULT_BOOTSTRAP, type PairedDifference, pairedDifferences } from '../paired.js';
import { type Metric, PAPER_BACKBONES, type PaperTable, paperTableFor, paperValue } from '../paper.js';
import { kendallTau, mean, sampleStd } from '../stats.js';

export interface LeaderboardColumn {
  /** `<dataset>/<base backbone>` or `<dataset>/mean`. */
  key: string;
  dataset: string;
  datasetDisplay: string;
  /** Base backbone id ('vgg16'), or 'mean' for the per-dataset mean over backbones. */
  backbone: string;
  backboneDisplay: string;
  /** The paper dataset whose values this column is compared with, if any. */
  paperDataset: 'glas' | 'camelyon16' | null;
  synthetic: boolean;
  /** Full backbone ids seen in this column (width tags included), e.g. ['vgg16:w0.125']. */
  backboneIds: string[];
}

export interface LeaderboardCell {
  /** Percent; null when no successful run. */
  mean: number | null;
  /** Sample std over runs (percent); null with fewer than 2 runs. */
  std: number | null;
  /** Number of runs aggregated (seeds x folds). */
  n: number;
  seeds: number[];
  folds: number[];
  /** Only with `paper: true`: the paper's value (percent) and ours minus the paper's. */
  paper?: number | null;
  delta?: number | null;
  /** Only with `paired` (PxAP): the paired difference to each reference method (by id), null where not computable. */
  paired?: Record<string, PairedDifference | null>;
}

export interface LeaderboardRow {
  method: string;
  display: string;
  group: 'weakly-supervised' | 'fully-supervised';
  cells: LeaderboardCell[];
}

export interface LeaderboardModel {
  metric: Metric;
  metricDisplay: string;
  paper: boolean;
  columns: LeaderboardColumn[];
  rows: LeaderboardRow[];
  /** Only with `paper: true`: Kendall tau-b between our and the paper's values per column, and the pairs used. */
  kendall?: { tau: number | null; n: number }[];
  /** Only with `paired`: the reference methods and the bootstrap's settings. */
  pairedWith?: { references: string[] } & BootstrapSettings;
  notes: string[];
}

export interface LeaderboardOptions {
  metric: Metric;
  /** Put the paper's value and the delta beside each cell, and Kendall tau per column. */
  paper?: boolean;
  /** Restrict to these dataset ids (default: all datasets with records). */
  datasets?: readonly string[];
  /**
   * PxAP only: each method's paired difference to these reference methods (e.g. ['cam', 'negev']) with a bootstrap
   * CI over test images and seeds (see paired.ts), from the records' per-image histograms.
   */
  paired?: { references: readonly string[] } & Partial<BootstrapSettings>;
}

export const METRIC_DISPLAY: Record<Metric, string> = {
  pxap: 'PxAP (%)',
  clAccuracy: 'CL accuracy (%)',
};

function metricOf(r: ResultRecord, metric: Metric): number | null {
  if (r.status !== 'ok' || !r.test) return null;
  return 100 * r.test[metric];
}

const uniqSorted = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

/** The runs of one table cell: a method on a dataset with any width variant of a base backbone. */
export function cellRuns(
  records: readonly ResultRecord[],
  method: string,
  dataset: string,
  baseBackbone: string,
): ResultRecord[] {
  return records.filter(
    (r) => r.method === method && r.dataset === dataset && parseBackbone(r.backbone).base === baseBackbone,
  );
}

function aggregate(runs: ResultRecord[], metric: Metric): LeaderboardCell {
  const ok = runs.filter((r) => metricOf(r, metric) !== null);
  const values = ok.map((r) => metricOf(r, metric)!);
  return {
    mean: values.length ? mean(values) : null,
    std: sampleStd(values),
    n: values.length,
    seeds: uniqSorted(ok.map((r) => r.seed)),
    folds: uniqSorted(ok.map((r) => r.fold)),
  };
}

/** The paper value of a column; for a mean column over a subset of the paper's backbones, their mean. */
function paperCell(
  table: PaperTable,
  method: string,
  col: LeaderboardColumn,
  dsCols: LeaderboardColumn[],
): number | null {
  if (!col.paperDataset) return null;
  const key = methodInfo(method).paperKey;
  if (col.backbone !== 'mean') return paperValue(table, key, col.paperDataset, col.backbone);
  const bbs = dsCols.map((c) => c.backbone);
  if (bbs.length === PAPER_BACKBONES.length && PAPER_BACKBONES.every((b) => bbs.includes(b))) {
    return paperValue(table, key, col.paperDataset, 'mean');
  }
  const vals = bbs.map((b) => paperValue(table, key, col.paperDataset!, b));
  return vals.every((v) => v !== null) ? mean(vals as number[]) : null;
}

/**
 * The leaderboard in the paper's Table 1 layout (Table 6 for CL accuracy): one row per method in the paper's
 * order, per dataset one column per base backbone plus a Mean column (when the dataset has 2+ backbones).
 * Cells are mean ± sample std over all successful runs (seeds x folds) of the reported checkpoint (`test`).
 */
export function leaderboardTable(records: readonly ResultRecord[], opts: LeaderboardOptions): LeaderboardModel {
  noteMethods(records);
  const { metric } = opts;
  const withPaper = opts.paper ?? false;
  const selected = opts.datasets ? records.filter((r) => opts.datasets!.includes(r.dataset)) : [...records];
  const notes: string[] = [];

  const datasets = [...new Set(selected.map((r) => r.dataset))].sort(compareDatasets);
  const columns: LeaderboardColumn[] = [];
  const dsColumns = new Map<string, LeaderboardColumn[]>();
  for (const ds of datasets) {
    const info = datasetInfo(ds);
    const inDs = selected.filter((r) => r.dataset === ds);
    const bases = [...new Set(inDs.map((r) => parseBackbone(r.backbone).base))].sort(compareBackbones);
    const cols = bases.map((base) => ({
      key: `${ds}/${base}`,
      dataset: ds,
      datasetDisplay: info.display,
      backbone: base,
      backboneDisplay: backboneDisplay(base),
      paperDataset: info.paperDataset,
      synthetic: info.synthetic,
      backboneIds: [
        ...new Set(inDs.filter((r) => parseBackbone(r.backbone).base === base).map((r) => r.backbone)),
      ].sort(),
    }));
    dsColumns.set(ds, cols);
    columns.push(...cols);
    if (cols.length >= 2) {
      columns.push({ ...cols[0]!, key: `${ds}/mean`, backbone: 'mean', backboneDisplay: 'Mean', backboneIds: [] });
    }
    for (const c of cols) {
      const tagged = c.backboneIds.filter((id) => parseBackbone(id).tag !== null);
      if (tagged.length) notes.push(`${info.display} · ${c.backboneDisplay}: backbone ${c.backboneIds.join(', ')}.`);
      if (c.backboneIds.length > 1)
        notes.push(`${info.display} · ${c.backboneDisplay} mixes several variants in one column.`);
    }
    if (withPaper && info.synthetic && info.paperDataset) {
      notes.push(
        `${info.display} is a synthetic stand-in: its paper values are the paper's ${datasetInfo(info.paperDataset).display} (real data); compare rank order, not levels.`,
      );
    }
  }

  const table = withPaper ? paperTableFor(metric) : null;
  if (opts.paired && metric !== 'pxap') throw new Error('paired differences are computed for PxAP only');
  const references = opts.paired ? [...opts.paired.references] : [];
  const bootstrap: BootstrapSettings | null = opts.paired
    ? {
        replicates: opts.paired.replicates ?? DEFAULT_BOOTSTRAP.replicates,
        seed: opts.paired.seed ?? DEFAULT_BOOTSTRAP.seed,
        level: opts.paired.level ?? DEFAULT_BOOTSTRAP.level,
      }
    : null;
  const paired = new Map(
    bootstrap
      ? datasets.map((ds) => [
          ds,
          pairedDifferences(
            selected.filter((r) => r.dataset === ds),
            ds,
            references,
            bootstrap,
          ),
        ])
      : [],
  );
  const methods = [...new Set(selected.map((r) => r.method))].sort(compareMethods);
  const rows: LeaderboardRow[] = methods.map((method) => {
    const info = methodInfo(method);
    const cells = columns.map((col): LeaderboardCell => {
      let cell: LeaderboardCell;
      if (col.backbone === 'mean') {
        // Mean over the dataset's backbone columns, only when the row has all of them (as in the paper).
        const parts = dsColumns
          .get(col.dataset)!
          .map((c) => aggregate(cellRuns(selected, method, c.dataset, c.backbone), metric));
        const complete = parts.every((p) => p.mean !== null);
        cell = {
          mean: complete ? mean(parts.map((p) => p.mean!)) : null,
          std: null,
          n: complete ? Math.min(...parts.map((p) => p.n)) : 0,
          seeds: complete ? uniqSorted(parts.flatMap((p) => p.seeds)) : [],
          folds: complete ? uniqSorted(parts.flatMap((p) => p.folds)) : [],
        };
      } else {
        cell = aggregate(cellRuns(selected, method, col.dataset, col.backbone), metric);
      }
      if (table) {
        const p = paperCell(table, method, col, dsColumns.get(col.dataset)!);
        cell.paper = p;
        cell.delta = p !== null && cell.mean !== null ? cell.mean - p : null;
      }
      if (bootstrap) {
        const byRef = paired.get(col.dataset)?.get(col.backbone)?.get(method);
        cell.paired = Object.fromEntries(references.map((ref) => [ref, byRef?.get(ref) ?? null]));
      }
      return cell;
    });
    return { method, display: info.display, group: info.group, cells };
  });

  const failed = selected.filter((r) => r.status !== 'ok' || !r.test);
  if (failed.length) {
    notes.push(
      `${failed.length} run(s) without test scores excluded: ${failed.map((r) => `${r.dataset}/${r.method}/${r.backbone}/f${r.fold}-s${r.seed}${r.failure ? ` (${r.failure.reason})` : ''}`).join('; ')}.`,
    );
  }
  if (rows.some((r) => r.cells.some((c) => c.n > 1))) notes.push('Cells: mean ± sample std over runs (seeds × folds).');
  if (withPaper && metric === 'clAccuracy') notes.push("The paper's Table 6 has no NEGEV and U-Net rows.");
  if (bootstrap) {
    const level = Math.round(bootstrap.level * 100);
    notes.push(
      `Paired differences to ${references.map((r) => methodInfo(r).display).join(' and ')}: mean over runs at the same seed of (method − reference) test PxAP, ` +
        `${level} % bootstrap CI (${bootstrap.replicates} replicates, seed ${bootstrap.seed}) resampling test images and seeds; * = the CI excludes 0.`,
    );
  }

  const model: LeaderboardModel = {
    metric,
    metricDisplay: METRIC_DISPLAY[metric],
    paper: withPaper,
    columns,
    rows,
    notes,
  };
  if (bootstrap) model.pairedWith = { references, ...bootstrap };
  if (withPaper) {
    model.kendall = columns.map((_, j) => {
      const pairs = rows
        .map((r) => r.cells[j]!)
        .filter((c) => c.mean !== null && c.paper !== null && c.paper !== undefined);
      return {
        tau: kendallTau(
          pairs.map((c) => c.mean!),
          pairs.map((c) => c.paper!),
        ),
        n: pairs.length,
      };
    });
  }
  return model;
}
