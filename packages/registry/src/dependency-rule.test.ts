import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The workspace's dependency rule, read from every package.json and every source file:
 * dependencies point one way, packages -> (registry) -> methods, and methods never depend on each other.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The one package that imports methods: it lists them for the CLI and the benchmarks. */
const WIRING = '@wslbench/registry';
/**
 * Packages that may depend on the registry. The trainer is here until it takes the method it runs instead of
 * looking it up (issue 19): remove it then.
 */
// The CLI and the grid runner wire methods in; the trainer only in its preflight test (real methods' memory).
const REGISTRY_USERS = new Set(['@wslbench/cli', '@wslbench/grid', '@wslbench/trainer']);
/** Packages that may depend on benchmarks (the CLI runs them). */
const BENCHMARK_USERS = new Set(['@wslbench/cli']);

interface Workspace {
  name: string;
  dir: string;
  kind: 'package' | 'method' | 'benchmark';
  deps: string[];
  devDeps: string[];
}

function workspaces(): Workspace[] {
  const out: Workspace[] = [];
  for (const [folder, kind] of [
    ['packages', 'package'],
    ['methods', 'method'],
    ['benchmarks', 'benchmark'],
  ] as const) {
    for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(ROOT, folder, entry.name);
      const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const ours = (d?: Record<string, string>) => Object.keys(d ?? {}).filter((k) => k.startsWith('@wslbench/'));
      out.push({ name: pj.name, dir, kind, deps: ours(pj.dependencies), devDeps: ours(pj.devDependencies) });
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(dir, 'src'));
  return files;
}

/** Workspace names a file imports (static and dynamic imports, subpaths such as /testing folded into the name). */
function importedWorkspaces(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/(?:from\s+|import\s*\(\s*)'(@wslbench\/[a-z0-9-]+)(?:\/[a-z0-9-]+)?'/g)) {
    found.add(m[1] as string);
  }
  return [...found];
}

/** Every broken rule, as one sentence naming the workspace and the dependency. */
function dependencyRuleViolations(all: readonly Workspace[]): string[] {
  const kindOf = new Map(all.map((w) => [w.name, w.kind]));
  const problems: string[] = [];
  for (const w of all) {
    for (const d of [...w.deps, ...w.devDeps]) {
      const kind = kindOf.get(d);
      if (kind === undefined) problems.push(`${w.name} depends on ${d}, which is no workspace`);
      if (w.kind === 'method' && kind === 'method') problems.push(`method ${w.name} depends on method ${d}`);
      if (w.kind === 'method' && d === WIRING) problems.push(`method ${w.name} depends on the registry`);
      if (w.kind === 'method' && kind === 'benchmark') problems.push(`method ${w.name} depends on benchmark ${d}`);
      if (w.kind === 'package' && kind === 'method' && w.name !== WIRING)
        problems.push(`package ${w.name} depends on method ${d} (only ${WIRING} lists methods)`);
      if (w.kind === 'package' && d === WIRING && !REGISTRY_USERS.has(w.name))
        problems.push(`package ${w.name} depends on the registry (it should take the method it needs)`);
      if (w.kind === 'package' && kind === 'benchmark' && !BENCHMARK_USERS.has(w.name))
        problems.push(`package ${w.name} depends on benchmark ${d}`);
    }
  }
  return problems;
}

describe('dependency rule', () => {
  const all = workspaces();

  it('finds every workspace', () => {
    expect(all.filter((w) => w.kind === 'method').length).toBeGreaterThanOrEqual(19);
    expect(all.map((w) => w.name)).toEqual(expect.arrayContaining(['@wslbench/core', '@wslbench/heads', WIRING]));
  });

  it('holds for every package.json: packages never depend on methods, methods never on each other', () => {
    expect(dependencyRuleViolations(all)).toEqual([]);
  });

  it('flags each kind of violation', () => {
    const ws = (name: string, kind: Workspace['kind'], deps: string[] = [], devDeps: string[] = []): Workspace => ({
      name,
      dir: '',
      kind,
      deps,
      devDeps,
    });
    const bad = [
      ws('@wslbench/core', 'package'),
      ws('@wslbench/heads', 'package', ['@wslbench/method-cam']),
      ws('@wslbench/report', 'package', [WIRING]),
      ws(WIRING, 'package', ['@wslbench/method-cam']),
      ws('@wslbench/method-cam', 'method', ['@wslbench/core']),
      ws('@wslbench/method-spg', 'method', ['@wslbench/core'], ['@wslbench/method-cam']),
      ws('@wslbench/bench-x', 'benchmark', ['@wslbench/method-cam', '@wslbench/nope']),
    ];
    expect(dependencyRuleViolations(bad)).toEqual([
      'package @wslbench/heads depends on method @wslbench/method-cam (only @wslbench/registry lists methods)',
      'package @wslbench/report depends on the registry (it should take the method it needs)',
      'method @wslbench/method-spg depends on method @wslbench/method-cam',
      '@wslbench/bench-x depends on @wslbench/nope, which is no workspace',
    ]);
  });

  it('matches the source: every workspace a file imports is declared, and every declared one is imported', () => {
    const problems: string[] = [];
    for (const w of all) {
      const used = new Set<string>();
      for (const file of sourceFiles(w.dir)) {
        const isTest = file.endsWith('.test.ts');
        for (const d of importedWorkspaces(readFileSync(file, 'utf8'))) {
          if (d === w.name) continue;
          used.add(d);
          const declared = isTest ? [...w.deps, ...w.devDeps] : w.deps;
          if (!declared.includes(d))
            problems.push(
              `${relative(ROOT, file)} imports ${d}, not in ${w.name}'s ${isTest ? 'dev' : ''}dependencies`,
            );
        }
      }
      for (const d of [...w.deps, ...w.devDeps])
        if (!used.has(d)) problems.push(`${w.name} declares ${d} but no file imports it`);
    }
    expect(problems).toEqual([]);
  });

  it('reads static, dynamic and subpath imports', () => {
    const src = [
      "import { a } from '@wslbench/core';",
      "import { b } from '@wslbench/core/testing';",
      "const m = await import('@wslbench/method-cam');",
      "import x from 'zod';",
    ].join('\n');
    expect(importedWorkspaces(src).sort()).toEqual(['@wslbench/core', '@wslbench/method-cam']);
  });
});

describe('citations', () => {
  it('no doc or source file cites a file outside the repository (the notes live in docs/)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (['node_modules', 'dist', '.git', 'results', 'data', '.turbo'].includes(e.name)) continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(md|ts|js|json)$/.test(e.name) && e.name !== 'package-lock.json') {
          const text = readFileSync(p, 'utf8');
          if (/(^|[\s`'"(/.])shared\/(reference|seed)\//m.test(text)) offenders.push(relative(ROOT, p));
        }
      }
    };
    walk(ROOT);
    expect(offenders).toEqual([]);
  });
});
