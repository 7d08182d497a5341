import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_RESULTS_DIR } from '@wslbench/data';
import { leaderboardTable, loadRecords, renderTerminal, writeReport } from '@wslbench/report';
import type { Command } from 'commander';

/** `wslbench report`: the HTML report (tables, charts, galleries) and the leaderboard in the terminal. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report (tables, charts, galleries) from the result records')
    .option('--results <dir>', 'results folder (default <repo>/results)')
    .option('--out <dir>', 'output folder of index.html (default <results>/report)')
    .option('--paper', "put the paper's values, deltas and Kendall tau beside ours", false)
    .option('--quiet', 'do not print the leaderboard', false)
    .action(async (opts: { results?: string; out?: string; paper: boolean; quiet: boolean }) => {
      const results = opts.results ?? DEFAULT_RESULTS_DIR;
      const o = { ...opts, results, out: opts.out ?? join(results, 'report') };
      // A report of nothing is a mistake (a mistyped folder), not an empty page.
      if (!existsSync(join(results, 'runs')))
        throw new Error(`${resolve(results)}: no result records (no runs/ folder); nothing to report`);
      if (!o.quiet) {
        const records = loadRecords(o.results).map((l) => l.record);
        if (records.length)
          process.stdout.write(`${renderTerminal(leaderboardTable(records, { metric: 'pxap', paper: o.paper }))}\n`);
        else process.stdout.write(`no result records under ${o.results}/runs\n`);
      }
      const path = await writeReport(o.results, o.out, { paper: o.paper });
      process.stdout.write(`report: ${path}\n`);
    });
}
