import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '@wslbench/core';
import { REPO_ROOT } from '@wslbench/data';
import { initEngine } from '@wslbench/engine';
import { listMethods } from '@wslbench/registry';
import { estimateTrainingMemory, realBackboneFactory } from '@wslbench/trainer';
import type { Command } from 'commander';
import { runConfigFromFlags } from './commands/train.js';
import { buildProgram } from './program.js';

/** The documented `wslbench ...` command lines: code blocks and inline code of the README and docs/. */
function documentedCommands(): { file: string; line: string }[] {
  const out: { file: string; line: string }[] = [];
  for (const file of ['README.md', 'docs/adding-a-method.md', 'docs/architecture.md', 'docs/protocol.md']) {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8').replace(/\\\n\s*/g, ' ');
    const blocks = [...text.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n');
    const found = [
      ...[...text.matchAll(/`(?:npx )?(wslbench [^`]+)`/g)].map((m) => m[1]!),
      ...[...blocks.matchAll(/^(?:npx )?(wslbench .+?)(?:\s+#.*)?$/gm)].map((m) => m[1]!),
    ].filter((l) => !l.endsWith('...'));
    // Table cells list alternatives as `a\|b`: one line per alternative.
    for (const f of found)
      for (const alt of f.replace(/\\\|/g, '|').match(/\|/) ? expand(f.replace(/\\\|/g, '|')) : [f])
        out.push({ file, line: alt.replace(/\[([^\]]+)\]/g, '$1').trim() });
  }
  return out;
}

function expand(line: string): string[] {
  const words = line.split(' ');
  const k = words.findIndex((w) => w.includes('|'));
  return words[k]!.split('|').map((alt) => [...words.slice(0, k), alt, ...words.slice(k + 1)].join(' '));
}

function program(): Command {
  return buildProgram().exitOverride();
}

/** The command a line names and the flags commander parses for it; throws on an unknown command or option. */
function parse(line: string): { path: string[]; opts: Record<string, unknown>; global: Record<string, unknown> } {
  const args = line.split(/\s+/).slice(1);
  const root = program();
  const path: string[] = [];
  let cmd = root;
  const rest = [...args];
  const globals: string[] = [];
  while (rest.length) {
    if (rest[0] === '--backend') {
      globals.push(rest.shift()!, rest.shift()!);
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === rest[0]);
    if (!sub) break;
    path.push(rest.shift()!);
    cmd = sub;
  }
  if (cmd === root) throw new Error(`'${line}': no such command`);
  const { unknown } = cmd.parseOptions(rest);
  if (unknown.some((u) => u.startsWith('-'))) throw new Error(`'${line}': unknown option(s) ${unknown.join(' ')}`);
  root.parseOptions(globals);
  return { path, opts: cmd.opts(), global: root.opts() };
}

describe('the documented command lines', () => {
  const lines = documentedCommands();

  test('are found (the README lists the commands)', () => {
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.map((l) => l.line)).toContain('wslbench env');
  });

  test.each(lines.map((l) => [l.file, l.line]))('%s: %s names a command and only its options', (_file, line) => {
    expect(() => parse(line)).not.toThrow();
  });

  test('every train line gives a valid run config that fits the backend it names (wasm: measured, 4 GB)', async () => {
    await initEngine({ backend: 'wasm' });
    const methods = new Map(listMethods().map((m) => [m.id, m]));
    const trains = lines.filter((l) => / train /.test(` ${l.line} `));
    expect(trains.length).toBeGreaterThanOrEqual(2);
    const cwd = process.cwd();
    process.chdir(REPO_ROOT); // the docs' relative paths (--config) are meant from the repository root
    try {
      for (const { line } of trains) {
        if (!/--config|--method/.test(line)) continue; // a flag named in prose (e.g. `wslbench train --evaluate-only`)
        const { opts, global } = parse(line);
        const config: RunConfig = runConfigFromFlags({ hp: [], ...(opts as object) } as unknown as Parameters<
          typeof runConfigFromFlags
        >[0]);
        const method = methods.get(config.method);
        if (!method || global.backend === 'tensorflow') continue; // a placeholder method / the GPU example
        const est = await estimateTrainingMemory(
          method,
          config,
          { id: config.dataset, numClasses: 2 },
          realBackboneFactory,
        );
        expect({ line, fits: config.optimizer.batchSize <= est.largestBatch! }).toEqual({ line, fits: true });
      }
    } finally {
      process.chdir(cwd);
    }
  });
});
