#!/usr/bin/env node
import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.js';
import { registerDataCommand } from './commands/data.js';
import { registerDocsCommand } from './commands/docs.js';
import { registerEnvCommand } from './commands/env.js';
import { registerEvaluateCommand } from './commands/evaluate.js';
import { registerListCommand } from './commands/list.js';
import { registerNewCommand } from './commands/new.js';
import { registerReportCommand } from './commands/report.js';
import { registerTrainCommand } from './commands/train.js';
import { registerVisualizeCommand } from './commands/visualize.js';
import { registerWeightsCommand } from './commands/weights.js';
import { cliVersion } from './version.js';

// Subcommands are registered explicitly (no import side effects): one module per command under commands/.
const program = new Command();
program
  .name('wslbench')
  .description('Weakly-supervised localization benchmark for histology (NEGEV protocol), on TF.js')
  .version(cliVersion(), '-V, --version')
  .option('--backend <name>', 'TF.js backend: tensorflow | wasm | cpu (default: best available; env WSLBENCH_BACKEND)')
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
registerDocsCommand(program);
registerNewCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`wslbench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
