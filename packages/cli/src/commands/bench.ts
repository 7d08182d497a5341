import { PAPER_CONFIGS_DIR } from '@wslbench/bench-paper';
import { parseSeedList, QUICK_EPOCHS, runSyntheticBenchmark } from '@wslbench/bench-synthetic';
import { acquireResultsLock } from '@wslbench/core';
import { DEFAULT_RESULTS_DIR } from '@wslbench/data';
import { renderCompactTerminal, writeLeaderboard, writeReport } from '@wslbench/report';
import type { Command } from 'commander';

interface BenchFlags {
  quick?: boolean;
  jobs?: string;
  results?: string;
  methods?: string;
  retryFailed?: boolean;
  seeds?: string;
  restartSeeds?: boolean;
  configs?: string;
  reuseCamRun?: boolean;
  report: boolean;
  wait?: boolean;
}

/** `wslbench bench synthetic`: the main job (data -> every cell -> leaderboards -> HTML report). */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('run a benchmark: synthetic (the embedded default) | paper (GlaS + CAMELYON16, full size, GPU)')
    .argument('<name>', 'synthetic | paper')
    .option('--quick', `the 5-minute version: one backbone, ${QUICK_EPOCHS} epoch(s) (results under <results>/quick)`)
    .option('--jobs <n>', 'parallel workers (default: one per core)')
    .option('--results <dir>', 'results folder (default <repo>/results)')
    .option('--methods <ids>', 'comma-separated method ids (default: all registered)')
    .option('--retry-failed', 'rerun cells whose record says failed')
    .option('--seeds <list>', 'train every cell at each of these seeds (default 0,1,2; --quick: 0)')
    .option('--restart-seeds', "one run per cell at its config's seed (a restart search's choice on valpx; seed 0 now)")
    .option('--configs <dir>', "cell configs folder (default: the benchmark's own configs/)")
    .option(
      '--reuse-cam-run',
      "train the gradient CAMs as CAM, one training per seed for the six (hp reuseCamRun; the benchmark's configs set it)",
    )
    .option('--no-report', 'skip the HTML report')
    .option('--wait', 'wait while another run writes the results folder (default: refuse)')
    .action(async (name: string, flags: BenchFlags) => {
      if (name !== 'synthetic' && name !== 'paper')
        throw new Error(`unknown benchmark '${name}' (known: synthetic, paper)`);
      const controller = new AbortController();
      // One writer per results folder: a second bench would train the same cells and race on the same files.
      const release = await acquireResultsLock(flags.results ?? DEFAULT_RESULTS_DIR, { wait: flags.wait === true });
      try {
        await runBench(name, flags, controller);
      } finally {
        release();
      }
    });
}

/** The benchmark itself, under the results folder's lock. */
async function runBench(name: string, flags: BenchFlags, controller: AbortController): Promise<void> {
  const onSigint = () => {
    process.stderr.write('\nwslbench: interrupted; finished cells are kept, run the same command to continue\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const started = Date.now();
  const {
    outcomes,
    resultsDir,
    boardFiles: only,
  } = await runSyntheticBenchmark({
    ...(flags.quick ? { quick: true } : {}),
    ...(flags.jobs ? { jobs: Number(flags.jobs) } : {}),
    ...(flags.results ? { resultsDir: flags.results } : {}),
    ...(flags.methods ? { methods: flags.methods.split(',').map((s) => s.trim()) } : {}),
    retryFailed: flags.retryFailed === true,
    ...(flags.reuseCamRun ? { reuseCamRun: true } : {}),
    ...(flags.seeds ? { seeds: parseSeedList(flags.seeds) } : {}),
    ...(flags.restartSeeds ? { restartSeeds: true } : {}),
    ...(flags.configs ? { configsDir: flags.configs } : name === 'paper' ? { configsDir: PAPER_CONFIGS_DIR } : {}),
    signal: controller.signal,
  });
  process.off('SIGINT', onSigint);
  if (controller.signal.aborted) {
    process.exitCode = 130;
    return;
  }
  const failed = outcomes.filter((o) => !o.ok);
  const lb = writeLeaderboard(resultsDir, name, { only });
  // One line per method; the paper layouts (Tables 1 and 6) with the paper's values are in the files and report.
  process.stdout.write(`\nPxAP on test, mean ± std over seeds\n${renderCompactTerminal(lb.pxap)}\n`);
  process.stdout.write(`\nCL accuracy on test, mean ± std over seeds\n${renderCompactTerminal(lb.clAccuracy)}\n`);
  process.stdout.write(`leaderboard (paper layouts, paired differences to CAM and NEGEV): ${lb.markdown}\n`);
  if (flags.report) {
    const path = await writeReport(resultsDir, `${resultsDir}/report`, { paper: true, only });
    process.stdout.write(`report: ${path}\n`);
  }
  process.stdout.write(`wall time ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (failed.length) {
    process.stderr.write(`wslbench: ${failed.length} cell(s) failed: ${failed.map((f) => f.id).join(', ')}\n`);
    process.exitCode = 2;
  }
}
