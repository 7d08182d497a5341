import { resolve } from 'node:path';
import { runCell, trainerFn } from '@wslbench/grid';
import type { Command } from 'commander';

const int = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got '${v}'`);
  return n;
};

/** Abort when the process that started this cell dies (a SIGKILLed worker must not leave a cell training on). */
function watchParent(controller: AbortController): NodeJS.Timeout | undefined {
  const parent = Number(process.env.WSLBENCH_CELL_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 0) return undefined;
  const timer = setInterval(() => {
    if (process.ppid !== parent) controller.abort();
  }, 500);
  timer.unref();
  return timer;
}

/** `wslbench cell`: the one unit every executor runs. */
export function registerCellCommand(program: Command): void {
  program
    .command('cell')
    .description('run one cell of a planned grid (idempotent: a cell with a valid result exits 0 at once)')
    .requiredOption('--run <dir>', 'run folder (holds manifest.json)')
    .option('--index <i>', 'cell index in the manifest')
    .option('--id <id>', 'cell id')
    .option('--executor <name>', 'recorded in the result (local | slurm | bullmq | manual)', 'manual')
    .action(async (o: { run: string; index?: string; id?: string; executor: string }, cmd: Command) => {
      if ((o.index === undefined) === (o.id === undefined)) throw new Error('give exactly one of --index or --id');
      const backend = (cmd.optsWithGlobals() as { backend?: string }).backend;
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const timer = watchParent(controller);
      try {
        const outcome = await runCell(
          resolve(o.run),
          o.id !== undefined ? { id: o.id } : { index: int('index', o.index as string) },
          {
            train: trainerFn(backend),
            executor: o.executor,
            signal: controller.signal,
            ...(process.env.WSLBENCH_GRID_FAULT_DIR ? { faultDir: process.env.WSLBENCH_GRID_FAULT_DIR } : {}),
          },
        );
        process.stdout.write(`${outcome.status} ${outcome.cell.id}\n`);
        if (outcome.status === 'failed') {
          process.stderr.write(`wslbench cell: ${outcome.message}\n`);
          process.exitCode = 2;
        }
      } catch (e) {
        if (controller.signal.aborted) {
          process.stderr.write(
            'wslbench cell: interrupted (its last epoch checkpoint is kept; the next attempt resumes it)\n',
          );
          process.exitCode = 130;
          return;
        }
        throw e;
      } finally {
        if (timer) clearInterval(timer);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
