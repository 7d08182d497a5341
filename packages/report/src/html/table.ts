import type { LeaderboardModel } from '../tables/leaderboard.js';
import type { PerClassModel } from '../tables/per-class.js';
import { columnTitle, fmt1, formatPaired, formatPaper, formatTau, formatValue, groupedRows } from '../tables/render.js';

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The leaderboard as an HTML table with the paper's two header rows (dataset, then backbone). */
export function renderHtmlTable(model: LeaderboardModel): string {
  const spans: { display: string; span: number; id: string }[] = [];
  for (const c of model.columns) {
    const last = spans[spans.length - 1];
    if (last && last.id === c.dataset) last.span++;
    else spans.push({ id: c.dataset, display: c.datasetDisplay, span: 1 });
  }
  const head1 = `<tr><th rowspan="2">Method</th>${spans.map((s) => `<th colspan="${s.span}">${escapeHtml(s.display)}</th>`).join('')}</tr>`;
  const head2 = `<tr>${model.columns.map((c) => `<th>${escapeHtml(c.backboneDisplay)}</th>`).join('')}</tr>`;
  const body = groupedRows(model).map((item) => {
    if ('heading' in item)
      return `<tr class="group"><td colspan="${model.columns.length + 1}">${escapeHtml(item.heading)}</td></tr>`;
    const cells = item.row.cells.map((c) => {
      const p = model.paper ? formatPaper(c) : '';
      const cls = c.delta === null || c.delta === undefined ? '' : c.delta >= 0 ? ' class="up"' : ' class="down"';
      return `<td${cls}>${escapeHtml(formatValue(c))}${p ? `<br><small>${escapeHtml(p)}</small>` : ''}</td>`;
    });
    return `<tr><th scope="row">${escapeHtml(item.row.display)}</th>${cells.join('')}</tr>`;
  });
  if (model.kendall) {
    body.push(
      `<tr class="tau"><th scope="row">Kendall τ vs paper</th>${model.kendall.map((k) => `<td>${escapeHtml(formatTau(k))}</td>`).join('')}</tr>`,
    );
  }
  const notes = model.notes.length
    ? `<ul class="notes">${model.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
    : '';
  return `<table class="leaderboard"><thead>${head1}${head2}</thead><tbody>${body.join('')}</tbody></table>${notes}`;
}

/** Per-class PxAP: header rows dataset · backbone, then class (with its foreground fraction); class "below" = under it. */
export function renderPerClassHtml(model: PerClassModel): string {
  const head1 = `<tr><th rowspan="2">Method</th>${model.columns
    .map((c) => `<th>${escapeHtml(`${c.datasetDisplay} · ${c.backboneDisplay}`)}</th>`)
    .join('')}</tr>`;
  const head2 = `<tr>${model.columns
    .map((c) => `<th>${escapeHtml(c.className)}<br><small>fg ${fmt1(100 * c.foregroundFraction)}</small></th>`)
    .join('')}</tr>`;
  const body = model.rows.map((row) => {
    const cells = row.cells.map((v, j) => {
      if (v === null) return '<td>—</td>';
      const below = v < model.columns[j]!.foregroundFraction;
      return `<td${below ? ' class="below"' : ''}>${fmt1(100 * v)}</td>`;
    });
    return `<tr><th scope="row">${escapeHtml(row.display)}</th>${cells.join('')}</tr>`;
  });
  return `<table class="leaderboard"><thead>${head1}${head2}</thead><tbody>${body.join('')}</tbody></table>`;
}

/** Each method's paired difference to `reference` (points, CI); green / red where significantly above / below. */
export function renderPairedHtml(model: LeaderboardModel, reference: string): string {
  const head = `<tr><th>Method</th>${model.columns.map((c) => `<th>${escapeHtml(columnTitle(c))}</th>`).join('')}</tr>`;
  const body = model.rows
    .filter((r) => r.method !== reference)
    .map((row) => {
      const cells = row.cells.map((c) => {
        const d = c.paired?.[reference];
        const cls = d?.significant ? (d.diff > 0 ? ' class="up"' : ' class="down"') : '';
        return `<td${cls}><small>${escapeHtml(formatPaired(d))}</small></td>`;
      });
      return `<tr><th scope="row">${escapeHtml(row.display)}</th>${cells.join('')}</tr>`;
    });
  return `<table class="leaderboard"><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`;
}
