import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@wslbench/core';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';
import { type SavedChart, saveChart } from '../charts/render.js';
import { paperScatterSpec, prCurveData, prCurvesSpec, pxapBarsSpec, selectionCurvesSpec } from '../charts/specs.js';
import { gallerySections } from '../gallery/from-files.js';
import { type LoadedRecord, loadRecords } from '../load.js';
import { compareDatasets, datasetInfo, methodInfo } from '../names.js';
import { leaderboardTable } from '../tables/leaderboard.js';
import { perClassTable } from '../tables/per-class.js';
import { renderMarkdown } from '../tables/render.js';
import { PAIRED_REFERENCES } from '../tables/write.js';
import { configName, currentCommit, describeConfigs, summarise } from './provenance.js';
import { escapeHtml, renderHtmlTable, renderPairedHtml, renderPerClassHtml } from './table.js';

export interface ReportOptions {
  /** Each table cell beside the paper's value and delta, plus Kendall tau per column. */
  paper?: boolean;
  title?: string;
  /** Gallery images per dataset (default 4). */
  maxGalleryImages?: number;
  /** Only these record files (relative to the results folder; see loadRecords). */
  only?: ReadonlySet<string>;
}

const dataUri = (mime: string, data: string | Uint8Array) =>
  `data:${mime};base64,${Buffer.from(data).toString('base64')}`;

const CSS = `
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1500px;color:#222;padding:0 16px}
h1{font-size:24px}h2{margin-top:36px;border-bottom:1px solid #ccc;padding-bottom:4px}h3{margin-top:24px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;vertical-align:top}
thead th{background:#f2f2f2;text-align:center}tbody th{text-align:left;white-space:nowrap}
tr.group td{text-align:left;font-style:italic;background:#fafafa}tr.tau{background:#f7f7ff}
td small{color:#666}td.up small{color:#1a7f37}td.down small{color:#b42318}td.below{color:#b42318}
.notes{font-size:12px;color:#555}.how{font-size:12px;color:#555;margin:4px 0 16px}
figure{margin:12px 0 24px}figure img{max-width:100%;height:auto;border:1px solid #eee}
code{background:#f4f4f4;padding:0 3px}.runs td,.runs th{text-align:left;font-size:12px;white-space:nowrap}
`;

interface ChartEntry {
  chart: SavedChart;
  title: string;
  how: string;
}

/**
 * Write a self-contained `<outDir>/index.html` (tables, charts and galleries inlined as data URIs; no network)
 * from the records under `<resultsDir>/runs` and the maps under `<resultsDir>/maps`. Chart specs, SVGs and PNGs
 * are also saved under `<outDir>/charts`, gallery rows under `<outDir>/galleries`. Returns the index.html path.
 */
export async function writeReport(resultsDir: string, outDir: string, opts: ReportOptions = {}): Promise<string> {
  const loaded = loadRecords(resultsDir, opts.only);
  const records = loaded.map((l) => l.record);
  const withPaper = opts.paper ?? false;
  const chartsDir = join(outDir, 'charts');
  const summary = summarise(loaded);
  const commit = currentCommit(resultsDir) ?? currentCommit();
  const datasets = [...new Set(records.map((r) => r.dataset))].sort(compareDatasets);
  const from = (rs: readonly unknown[]) =>
    `${rs.length} record(s) under <code>${escapeHtml(join(resultsDir, 'runs'))}</code>`;
  const renderedWith = `vega ${vega.version} / vega-lite ${vl.version}, headless (renderer 'none') + resvg`;

  // Tables.
  const pxap = leaderboardTable(records, {
    metric: 'pxap',
    paper: withPaper,
    paired: { references: PAIRED_REFERENCES },
  });
  const cl = leaderboardTable(records, { metric: 'clAccuracy', paper: withPaper });
  const perClass = perClassTable(records);
  writeFileAtomic(
    join(outDir, 'leaderboard.md'),
    `## PxAP\n\n${renderMarkdown(pxap)}\n\n## CL accuracy\n\n${renderMarkdown(cl)}\n`,
  );

  // Charts.
  const charts: ChartEntry[] = [];
  const add = async (name: string, spec: TopLevelSpec, title: string, how: string) =>
    charts.push({ chart: await saveChart(chartsDir, name, spec), title, how });
  const ok = records.filter((r) => r.status === 'ok' && r.test);
  if (ok.length) {
    await add(
      'pxap-by-backbone',
      pxapBarsSpec(records),
      'PxAP by method and backbone',
      `Test PxAP (best-localization checkpoint), mean ± std over runs; ${from(ok)}.`,
    );
    const paperModel = leaderboardTable(records, { metric: 'pxap', paper: true });
    if (
      paperModel.rows.some((r) => r.cells.some((c) => c.mean !== null && c.paper !== null && c.paper !== undefined))
    ) {
      await add(
        'ours-vs-paper',
        paperScatterSpec(paperModel),
        'Ours vs the paper (PxAP)',
        `One point per (method, backbone) cell: the paper's Table 1 value (x) vs our mean (y). Synthetic datasets are plotted against the paper's real datasets.`,
      );
    }
  }
  for (const ds of datasets) {
    const inDs = records.filter((r) => r.dataset === ds);
    const name = datasetInfo(ds).display;
    if (prCurveData(records, ds).length) {
      await add(
        `pr-curves-${ds}`,
        prCurvesSpec(records, ds),
        `Pixel precision–recall: ${name}`,
        `Stored <code>test.curve</code> of each run (${inDs.length} record(s)).`,
      );
    }
    if (inDs.some((r) => r.status === 'ok' && r.selection.length)) {
      await add(
        `model-selection-${ds}`,
        selectionCurvesSpec(records, ds),
        `Model selection: ${name}`,
        `<code>selection</code> entries (few-shot validation PxAP and CL accuracy per evaluated epoch); dots mark <code>bestLocalizationEpoch</code> / <code>bestClassificationEpoch</code>.`,
      );
    }
  }

  // Galleries.
  const galleries = await gallerySections(resultsDir, opts.maxGalleryImages ?? 4);
  const galleryHtml: string[] = [];
  for (const g of galleries) {
    galleryHtml.push(`<h3>${escapeHtml(datasetInfo(g.dataset).display)}</h3>`);
    for (const row of g.rows) {
      const file = join(outDir, 'galleries', `${g.dataset}-${row.backbone}-${row.imageId}.png`);
      writeFileAtomic(file, row.png);
      const cols = row.columns.map((c) => `${methodInfo(c.method).display}: ${c.run ?? 'not saved'}`).join(', ');
      galleryHtml.push(
        `<figure><img class="gallery" alt="${escapeHtml(`${g.dataset} ${row.imageId}`)}" src="${dataUri('image/png', row.png)}"><figcaption class="how">Image <code>${escapeHtml(row.imageId)}</code>, backbone <code>${escapeHtml(row.backbone)}</code>; maps from runs ${escapeHtml(cols)} (<code>${escapeHtml(join(resultsDir, 'maps', g.dataset))}</code>).</figcaption></figure>`,
      );
    }
  }

  const runsRows = loaded
    .slice()
    .sort((a, b) => a.file.localeCompare(b.file))
    .map(({ record: r, file }: LoadedRecord) => {
      const cells = [
        r.dataset,
        methodInfo(r.method).display,
        r.backbone,
        `f${r.fold}-s${r.seed}`,
        r.status + (r.failure ? ` (${r.failure.reason})` : ''),
        configName(r.config) ?? '—',
        `${r.bestLocalizationEpoch ?? '—'} / ${r.bestClassificationEpoch ?? '—'}`,
        r.env.commit ?? 'unknown',
        r.env.backend,
        r.createdAt,
        file,
      ];
      return `<tr>${cells.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`;
    });

  const title = opts.title ?? 'wslbench report';
  const tableHow = `Test scores of the checkpoint each run reports (<code>test</code>, best localization by few-shot PxAP); ${from(records)}; mean ± sample std over seeds × folds.${withPaper ? ' Paper values: <code>packages/report/data/paper-tables.json</code> (NEGEV paper, Tables 1 and 6); Δ = ours − paper; Kendall τ-b per column over methods present in both.' : ''}`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${CSS}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="how">Generated ${escapeHtml(new Date().toISOString())} by <code>@wslbench/report</code> at commit <code>${escapeHtml(commit ?? 'unknown')}</code>
from ${summary.runs} run(s) (${summary.failed} failed) on ${escapeHtml(summary.datasets.join(', ') || 'no dataset')};
seeds ${escapeHtml(summary.seeds.join(', ') || '—')}, folds ${escapeHtml(summary.folds.join(', ') || '—')};
record commits ${escapeHtml(summary.commits.join(', ') || '—')}; backends ${escapeHtml(summary.backends.join(', ') || '—')};
configs: <a href="#runs">${escapeHtml(describeConfigs(summary))}</a>.</p>
${records.length ? '' : `<p><strong>No result records under <code>${escapeHtml(join(resultsDir, 'runs'))}</code> yet.</strong></p>`}
<h2 id="tables">Tables</h2>
<h3>PxAP on test (paper Table 1 layout)</h3>
${records.length ? renderHtmlTable(pxap) : ''}
<p class="how">${tableHow}</p>
${
  records.length
    ? PAIRED_REFERENCES.map(
        (ref) =>
          `<h3>PxAP: paired difference to ${escapeHtml(methodInfo(ref).display)}</h3>\n${renderPairedHtml(pxap, ref)}\n<p class="how">Percent points, mean over runs at the same seed of (method − ${escapeHtml(methodInfo(ref).display)}); 95 % bootstrap CI resampling the test images and the seeds; * and colour: the CI excludes 0.</p>`,
      ).join('\n')
    : ''
}
<h3>Classification accuracy on test (paper Table 6 layout)</h3>
${records.length ? renderHtmlTable(cl) : ''}
<p class="how">${tableHow}</p>
${perClass.columns.length ? `<h3>PxAP per class on test</h3>\n${renderPerClassHtml(perClass)}\n<p class="how">PxAP over each class's own images; fg = the class's foreground fraction (the PxAP of a constant map). Red: below it, i.e. the class is localized by negative evidence. Classes without foreground (CAMELYON normal) have no column.</p>` : ''}
<h2 id="charts">Charts</h2>
${charts
  .map(
    (c) =>
      `<figure><img class="chart" alt="${escapeHtml(c.title)}" src="${dataUri('image/svg+xml', c.chart.svgText)}"><figcaption class="how"><strong>${escapeHtml(c.title)}.</strong> ${c.how} Spec <code>charts/${escapeHtml(c.chart.name)}.vl.json</code> (restyle and re-render it), rendered with ${escapeHtml(renderedWith)}.</figcaption></figure>`,
  )
  .join('\n')}
<h2 id="galleries">Galleries</h2>
<p class="how">Image | ground truth (red) | CAM | method | U-Net maps as jet overlays (alpha 0.5), from maps the trainer saved under <code>${escapeHtml(join(resultsDir, 'maps'))}</code>.</p>
${galleryHtml.join('\n') || '<p>No saved maps.</p>'}
<h2 id="runs">Runs</h2>
<table class="runs"><thead><tr><th>Dataset</th><th>Method</th><th>Backbone</th><th>Run</th><th>Status</th><th>Config</th><th>Best epoch (loc / cls)</th><th>Commit</th><th>Backend</th><th>Created</th><th>Record</th></tr></thead>
<tbody>${runsRows.join('')}</tbody></table>
</body></html>
`;
  const path = resolve(outDir, 'index.html');
  writeFileAtomic(path, html);
  return path;
}
