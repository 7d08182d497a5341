import { listMethods, syncGeneratedDocs } from '@wslbench/registry';
import type { Command } from 'commander';
import { repoRoot } from './repo-root.js';

export function registerDocsCommand(program: Command): void {
  program
    .command('docs')
    .description("regenerate the method lists of docs/methods.md and README.md from the methods' descriptors")
    .option('--check', 'change nothing; exit 1 when a generated section is stale')
    .action((o: { check?: boolean }) => {
      const root = repoRoot();
      const changed = syncGeneratedDocs(root, listMethods(), { write: !o.check });
      if (o.check && changed.length) {
        throw new Error(`stale generated method docs in ${changed.join(', ')}: run \`npx wslbench docs\``);
      }
      process.stdout.write(changed.length ? `updated ${changed.join(', ')}\n` : 'method docs up to date\n');
    });
}
