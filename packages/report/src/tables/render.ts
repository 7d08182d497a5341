import Table from 'cli-table3';
import { methodInfo } from '../names.js';
import type { PairedDifference } from '../paired.js';
import type { LeaderboardCell, LeaderboardColumn, LeaderboardModel, LeaderboardRow } from './leaderboard.js';

export const fmt1 = (x: number) => x.toFixed(1);
/** Signed with a real minus sign, e.g. '+1.2', '−3.4'; a value that rounds to 0 is '+0.0'. */
export const fmtDelta = (x: number) =>
  Number(x.toFixed(1)) >= 0 ? `+${Math.abs(Number(x.toFixed(1))).toFixed(1)}` : `−${(-x).toFixed(1)}`;

export function formatValue(c: LeaderboardCell): string {
  if (c.mean === null) return '—';
  return c.std === null ? fmt1(c.mean) : `${fmt1(c.mean)} ± ${fmt1(c.std)}`;
}

/** 'paper 68.5, Δ −7.3' or '' when the paper has no such cell. */
export function formatPaper(c: LeaderboardCell): string {
  if (c.paper === null || c.paper === undefined) return '';
  return c.delta === null || c.delta === undefined
    ? `paper ${fmt1(c.paper)}`
    : `paper ${fmt1(c.paper)}, Δ ${fmtDelta(c.delta)}`;
}

export function formatTau(k: { tau: number | null; n: number }): string {
  return k.tau === null ? `— (n=${k.n})` : `${k.tau >= 0 ? '' : '−'}${Math.abs(k.tau).toFixed(2)} (n=${k.n})`;
}

export function columnTitle(c: LeaderboardColumn): string {
  return `${c.datasetDisplay} · ${c.backboneDisplay}`;
}

/** Rows with the paper's section headings ('Weakly-supervised' / 'Fully-supervised') between groups. */
export function groupedRows(model: LeaderboardModel): ({ heading: string } | { row: LeaderboardRow })[] {
  const out: ({ heading: string } | { row: LeaderboardRow })[] = [];
  let group: string | null = null;
  for (const row of model.rows) {
    if (row.group !== group) {
      group = row.group;
      out.push({ heading: group === 'fully-supervised' ? 'Fully-supervised' : 'Weakly-supervised' });
    }
    out.push({ row });
  }
  return out;
}

function datasetSpans(model: LeaderboardModel): { display: string; span: number }[] {
  const spans: { display: string; span: number; id: string }[] = [];
  for (const c of model.columns) {
    const last = spans[spans.length - 1];
    if (last && last.id === c.dataset) last.span++;
    else spans.push({ id: c.dataset, display: c.datasetDisplay, span: 1 });
  }
  return spans;
}

/** The leaderboard for a terminal (cli-table3, no colours), two header rows as in the paper. */
export function renderTerminal(model: LeaderboardModel): string {
  const table = new Table({ style: { head: [], border: [], compact: false } });
  table.push([
    { content: `${model.metricDisplay}`, rowSpan: 2 },
    ...datasetSpans(model).map((s) => ({ content: s.display, colSpan: s.span, hAlign: 'center' as const })),
  ]);
  table.push(model.columns.map((c) => c.backboneDisplay));
  for (const item of groupedRows(model)) {
    if ('heading' in item) {
      table.push([{ content: item.heading, colSpan: model.columns.length + 1 }]);
      continue;
    }
    table.push([
      item.row.display,
      ...item.row.cells.map((c) =>
        model.paper && formatPaper(c) ? `${formatValue(c)}\n${formatPaper(c)}` : formatValue(c),
      ),
    ]);
  }
  if (model.kendall) table.push(['Kendall τ vs paper', ...model.kendall.map(formatTau)]);
  const notes = model.notes.length ? `\n${model.notes.map((n) => `* ${n}`).join('\n')}` : '';
  return `${table.toString()}${notes}`;
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|');

/** The leaderboard as a GitHub Markdown table (one header row: 'Dataset · Backbone'). */
export function renderMarkdown(model: LeaderboardModel): string {
  const head = ['Method', ...model.columns.map(columnTitle)];
  const lines = [
    `| ${head.map(mdEscape).join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? ':--' : '--:')).join(' | ')} |`,
  ];
  for (const item of groupedRows(model)) {
    if ('heading' in item) {
      lines.push(`| *${item.heading}* |${' |'.repeat(model.columns.length)}`);
      continue;
    }
    const cells = item.row.cells.map((c) => {
      const p = model.paper ? formatPaper(c) : '';
      return p ? `${formatValue(c)} (${p})` : formatValue(c);
    });
    lines.push(`| ${[item.row.display, ...cells].map(mdEscape).join(' | ')} |`);
  }
  if (model.kendall) lines.push(`| Kendall τ vs paper | ${model.kendall.map(formatTau).join(' | ')} |`);
  const notes = model.notes.map((n) => `- ${n}`);
  return [`${lines.join('\n')}`, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** '+3.1 [+0.4, +5.9] *': difference, CI, '*' when the CI excludes 0; '—' when there is none. */
export function formatPaired(d: PairedDifference | null | undefined): string {
  if (!d) return '—';
  return `${fmtDelta(d.diff)} [${fmtDelta(d.lo)}, ${fmtDelta(d.hi)}]${d.significant ? ' *' : ''}`;
}

/** Each method's paired difference to `reference` (PxAP points, CI) as a Markdown table, one column per table column. */
export function renderPairedMarkdown(model: LeaderboardModel, reference: string): string {
  const head = ['Method', ...model.columns.map(columnTitle)];
  const lines = [
    `| ${head.map(mdEscape).join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? ':--' : '--:')).join(' | ')} |`,
  ];
  for (const row of model.rows) {
    if (row.method === reference) continue;
    const cells = row.cells.map((c) => formatPaired(c.paired?.[reference]));
    lines.push(`| ${[row.display, ...cells].map(mdEscape).join(' | ')} |`);
  }
  return lines.join('\n');
}

const pad = (s: string, w: number, right = false) => {
  const n = [...s].length;
  return n >= w ? s : right ? ' '.repeat(w - n) + s : s + ' '.repeat(w - n);
};

/**
 * The leaderboard for a terminal in at most ~100 columns: one line per method, mean ± std per dataset x backbone
 * (no mean columns, no paper values: those are in the Markdown/HTML files). With paired differences to `marker`
 * (default 'cam'), a cell is marked ▲ / ▼ where the method is significantly above / below it.
 */
export function renderCompactTerminal(model: LeaderboardModel, marker = 'cam'): string {
  const cols = model.columns.map((c, j) => ({ c, j })).filter(({ c }) => c.backbone !== 'mean');
  const nameW = Math.max(8, ...model.rows.map((r) => [...r.display].length)) + 1;
  const cellW = 12;
  const marks = model.pairedWith?.references.includes(marker) ?? false;
  const line = (name: string, cells: string[]) =>
    `${pad(name, nameW)}${cells.map((x) => `  ${pad(x, cellW, true)}`).join('')}`.trimEnd();
  const datasets: string[] = [];
  for (const { c } of cols) {
    const label = cols.filter((o) => o.c.dataset === c.dataset)[0]!.c === c ? c.datasetDisplay : '';
    datasets.push(label);
  }
  const out = [
    line(model.metricDisplay, datasets),
    line(
      '',
      cols.map(({ c }) => c.backboneDisplay),
    ),
    ...model.rows.map((r) =>
      line(
        r.display,
        cols.map(({ j }) => {
          const cell = r.cells[j]!;
          const d = marks ? cell.paired?.[marker] : null;
          const m = d?.significant ? (d.diff > 0 ? '▲' : '▼') : ' ';
          return `${formatValue(cell).replace(' ± ', '±')} ${m}`;
        }),
      ),
    ),
  ];
  if (marks) {
    const level = Math.round(model.pairedWith!.level * 100);
    out.push(`▲ / ▼: significantly above / below ${methodInfo(marker).display} (paired ${level} % CI).`);
  }
  return out.join('\n');
}
