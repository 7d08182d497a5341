import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.js';
import { registerCellCommand } from './commands/cell.js';
import { registerDataCommand } from './commands/data.js';
import { registerDocsCommand } from './commands/docs.js';
import { registerEnvCommand } from './commands/env.js';
import { registerEvaluateCommand } from './commands/evaluate.js';
import { registerGridCommand } from './commands/grid.js';
import { registerListCommand } from './commands/list.js';
import { registerNewCommand } from './commands/new.js';
import { registerReportCommand } from './commands/report.js';
import { registerTrainCommand } from './commands/train.js';
import { registerVisualizeCommand } from './commands/visualize.js';
import { registerWeightsCommand } from './commands/weights.js';
import { registerWorkerCommand } from './commands/worker.js';
import { cliVersion } from './version.js';

// Subcommands are registered explicitly (no import side effects): one module per command under commands/.
/** The `wslbench` command with its global options and every subcommand (main.ts runs it; tests parse with it). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('wslbench')
    .description('Weakly-supervised localization benchmark for histology (NEGEV protocol), on TF.js')
    .version(cliVersion(), '-V, --version')
    .option(
      '--backend <name>',
      'TF.js backend: tensorflow | torch | wasm | cpu (default: best available; env WSLBENCH_BACKEND)',
    )
    .option('--threads <n>', 'intra-op threads of the torch backend (env WSLBENCH_THREADS; default: one per core)')
    .option('--device <name>', 'torch device: cpu | cuda (env WSLBENCH_DEVICE; default: cuda when available)')
    .hook('preAction', (cmd) => {
      // As environment variables, so that every engine start of this process and of its workers sees them.
      const { backend, threads, device } = cmd.opts<{ backend?: string; threads?: string; device?: string }>();
      if (backend !== undefined) process.env.WSLBENCH_BACKEND = backend; // bench workers read it
      if (threads !== undefined) process.env.WSLBENCH_THREADS = threads;
      if (device !== undefined) process.env.WSLBENCH_DEVICE = device;
    })
    .showHelpAfterError();

  registerBenchCommand(program);
  registerDataCommand(program);
  registerEnvCommand(program);
  registerTrainCommand(program);
  registerEvaluateCommand(program);
  registerListCommand(program);
  registerReportCommand(program);
  registerVisualizeCommand(program);
  registerWeightsCommand(program);
  registerCellCommand(program);
  registerGridCommand(program);
  registerWorkerCommand(program);
  registerDocsCommand(program);
  registerNewCommand(program);
  return program;
}
