import { join, resolve } from 'node:path';
import { resultPath, writeFileAtomic, writeJsonAtomic } from '@wslbench/core';
import { leaderboardTable, recordToFractions, renderMarkdown } from '@wslbench/report';
import type { Manifest } from './manifest.js';
import { gridStatus, readValidResult } from './run-folder.js';

export interface MergeOutcome {
  complete: boolean;
  /** Final cells without a valid result (id: state). */
  missing: string[];
  leaderboardMd: string;
  files: { json: string; markdown: string; runs: string };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(2));

/**
 * The leaderboard of a run folder's final cells (search trials are never reported), from their result files only:
 * `<run>/leaderboard.{json,md}` and the records under `<run>/merged/runs/` (the layout `wslbench report --results`
 * reads). Incomplete grids are refused unless `partial` (then the files say which cells are missing).
 */
export function mergeRunFolder(runDirIn: string, manifest: Manifest, opts: { partial?: boolean } = {}): MergeOutcome {
  const runDir = resolve(runDirIn);
  const status = gridStatus(runDir, manifest);
  const finals = status.cells.filter((c) => c.cell.role === 'final');
  const missing = finals
    .filter((c) => c.state !== 'ok')
    .map((c) => `${c.cell.id}: ${c.state}${c.detail ? ` (${c.detail})` : ''}`);
  if (finals.length === 0)
    throw new Error(`${runDir}: no final cells yet (a search grid gets them from 'wslbench grid choose')`);
  if (missing.length && !opts.partial)
    throw new Error(
      `${runDir}: ${missing.length} of ${finals.length} cells have no valid result:\n  ${missing.join('\n  ')}\n(resume them, or merge with --partial)`,
    );
  const results = finals.flatMap((c) => {
    const r = readValidResult(runDir, c.cell);
    return r ? [{ cell: c.cell, result: r }] : [];
  });
  const runsDir = join(runDir, 'merged');
  for (const { result } of results) writeJsonAtomic(join(runsDir, resultPath(result.record)), result.record);
  const records = results.map((r) => recordToFractions(r.result.record));
  const pxap = leaderboardTable(records, { metric: 'pxap' });
  const clAccuracy = leaderboardTable(records, { metric: 'clAccuracy' });
  const rows = results.map(({ cell, result }) => {
    const sel = result.record.selection.find((e) => e.epoch === result.record.bestLocalizationEpoch);
    return `| ${cell.id} | ${pct(sel?.pxap)} | ${pct(result.record.test?.pxap)} | ${pct(result.record.test?.clAccuracy)} |`;
  });
  const leaderboardMd = [
    '## PxAP on test',
    '',
    renderMarkdown(pxap),
    '',
    '## Classification accuracy on test',
    '',
    renderMarkdown(clAccuracy),
    '',
    '## Cells',
    '',
    '| cell | valpx PxAP (selection) | test PxAP | test CL |',
    '|---|--:|--:|--:|',
    ...rows,
    '',
  ].join('\n');
  const json = join(runDir, 'leaderboard.json');
  const markdown = join(runDir, 'leaderboard.md');
  writeJsonAtomic(json, {
    schema: 'wslbench/grid-leaderboard@1',
    complete: missing.length === 0,
    missing,
    cells: results.map(({ cell, result }) => ({ id: cell.id, configHash: cell.configHash, test: result.record.test })),
    pxap,
    clAccuracy,
  });
  const head = `# Grid leaderboard (${results.length} of ${finals.length} cells${missing.length ? `; missing: ${missing.length}` : ''})\n\n`;
  writeFileAtomic(
    markdown,
    head + leaderboardMd + (missing.length ? `\nMissing cells:\n\n${missing.map((m) => `- ${m}`).join('\n')}\n` : ''),
  );
  return { complete: missing.length === 0, missing, leaderboardMd, files: { json, markdown, runs: runsDir } };
}
