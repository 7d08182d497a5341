/**
 * Writes results/findings-synthetic.md from the main board's records and the NEGEV ablation's:
 *   node benchmarks/ablation-negev/dist/findings-cli.js [--results results] [--ablation results/ablation-negev]
 *     [--out results/findings-synthetic.md]
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SYNTHETIC_DATASETS } from '@wslbench/bench-synthetic';
import { type ResultRecord, writeFileAtomic } from '@wslbench/core';
import { loadRecords } from '@wslbench/report';
import { paperFindings, renderFindingsMarkdown } from './findings.js';

/** The ablation's records by row key: `<dir>/cam` is 'cam', `<dir>/negev/<key>` is that variant. */
export function loadAblationRecords(dir: string): Map<string, ResultRecord[]> {
  const out = new Map<string, ResultRecord[]>();
  if (!existsSync(dir)) return out;
  if (existsSync(join(dir, 'cam')))
    out.set(
      'cam',
      loadRecords(join(dir, 'cam')).map((l) => l.record),
    );
  const negev = join(dir, 'negev');
  if (existsSync(negev))
    for (const key of readdirSync(negev).sort())
      out.set(
        key,
        loadRecords(join(negev, key)).map((l) => l.record),
      );
  return out;
}

export function writeFindings(resultsDir: string, ablationDir: string, outFile: string): string {
  const board = loadRecords(resultsDir).map((l) => l.record);
  const ablation = loadAblationRecords(ablationDir);
  const findings = paperFindings({ board, ablation, datasets: SYNTHETIC_DATASETS });
  const n = [...ablation.values()].reduce((s, rs) => s + rs.length, 0);
  writeFileAtomic(
    outFile,
    renderFindingsMarkdown(findings, [
      `Sources: ${board.length} record(s) under \`${join(resultsDir, 'runs')}\` (main board) and ${n} under \`${ablationDir}\` (NEGEV ablation).`,
    ]),
  );
  return outFile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { results: { type: 'string' }, ablation: { type: 'string' }, out: { type: 'string' } },
  });
  const results = values.results ?? 'results';
  const out = writeFindings(
    results,
    values.ablation ?? join(results, 'ablation-negev'),
    values.out ?? join(results, 'findings-synthetic.md'),
  );
  process.stdout.write(`findings: ${out}\n`);
}
