import { leaderboardTable, loadRecords, renderTerminal, writeReport } from '@wslbench/report';
import type { Command } from 'commander';

/** `wslbench report`: the HTML report (tables, charts, galleries) and the leaderboard in the terminal. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report (tables, charts, galleries) from the result records')
    .option('--results <dir>', 'results folder', 'results')
    .option('--out <dir>', 'output folder of index.html', 'results/report')
    .option('--paper', "put the paper's values, deltas and Kendall tau beside ours", false)
    .option('--quiet', 'do not print the leaderboard', false)
    .action(async (o: { results: string; out: string; paper: boolean; quiet: boolean }) => {
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
