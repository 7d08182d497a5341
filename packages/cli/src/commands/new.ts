import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { parseKind, scaffoldMethod } from '../scaffold/new-method.js';
import { METHOD_KINDS } from '../scaffold/templates.js';
import { repoRoot } from './repo-root.js';

/** The steps after the files are written, each run in the repository root (a fresh process sees the new method). */
export const AFTER_SCAFFOLD = [
  ['npm', 'install', '--no-audit', '--no-fund'],
  ['npm', 'run', 'build', '--silent'],
  ['node', 'packages/cli/dist/main.js', 'docs'],
  ['node', 'benchmarks/synthetic/dist/generate-configs.js'],
  ['npx', 'biome', 'check', '--write', 'packages/registry'],
] as const;

export function registerNewCommand(program: Command): void {
  const create = program.command('new').description('scaffold a new part of the benchmark');
  create
    .command('method <id>')
    .description(
      'write methods/<id> (descriptor, test with the shared toy check, README) from a base, register it, then install, build, regenerate docs and cell configs',
    )
    .option('--from <kind>', `the base to start from: ${METHOD_KINDS.join(' | ')}`, 'cam')
    .option('--no-install', 'only write and register the files; print the remaining steps')
    .action((id: string, o: { from: string; install: boolean }) => {
      const root = repoRoot();
      const { written, edited } = scaffoldMethod(root, id, parseKind(o.from));
      const out = (s: string) => process.stdout.write(`${s}\n`);
      for (const f of written) out(`wrote  ${f}`);
      for (const f of edited) out(`edited ${f}`);
      for (const step of AFTER_SCAFFOLD) {
        if (!o.install) {
          out(`then:  ${step.join(' ')}`);
          continue;
        }
        out(`$ ${step.join(' ')}`);
        const r = spawnSync(step[0], step.slice(1), { cwd: root, stdio: 'inherit' });
        if (r.status !== 0) throw new Error(`'${step.join(' ')}' failed (exit ${r.status}); fix it and rerun the rest`);
      }
      out(`next: fill in the TODOs of methods/${id}, then \`npx jest methods/${id}\``);
    });
}
