#!/usr/bin/env node
import { Command } from 'commander';
import { cliVersion } from './version.js';

// Subcommands are registered explicitly (no import side effects): one module per command under commands/.
const program = new Command();
program
  .name('wslbench')
  .description('Weakly-supervised localization benchmark for histology (NEGEV protocol), on TF.js')
  .version(cliVersion(), '-V, --version')
  .option('--backend <name>', 'TF.js backend: tensorflow | wasm | cpu (default: best available; env WSLBENCH_BACKEND)')
  .showHelpAfterError();

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`wslbench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
