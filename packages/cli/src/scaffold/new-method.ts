import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  METHOD_KINDS,
  type MethodKind,
  type MethodNames,
  methodTemplate,
  readmeTemplate,
  testTemplate,
} from './templates.js';

export interface ScaffoldResult {
  /** Files written or edited, relative to the repository root. */
  written: string[];
  edited: string[];
}

export function methodNames(id: string): MethodNames {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id))
    throw new Error(`method id '${id}': use lower-case letters, digits and single dashes, starting with a letter`);
  const pascal = id
    .split('-')
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
  return { id, pascal };
}

export function parseKind(kind: string): MethodKind {
  if (!(METHOD_KINDS as readonly string[]).includes(kind))
    throw new Error(`--from '${kind}': expected one of ${METHOD_KINDS.join(', ')}`);
  return kind as MethodKind;
}

const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;

function packageJson(n: MethodNames, kind: MethodKind): string {
  const deps: Record<string, string> = { '@tensorflow/tfjs-core': '4.22.0', zod: '^4.1.0' };
  for (const d of methodTemplate(kind).deps) deps[d] = '*';
  return json({
    name: `@wslbench/method-${n.id}`,
    version: '0.1.0',
    private: true,
    type: 'module',
    description: `${n.pascal} (scaffolded from the ${kind} template)`,
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
    files: ['dist'],
    scripts: {
      build: 'tsc -p tsconfig.json',
      test: `cd ../.. && node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js methods/${n.id}`,
    },
    dependencies: deps,
    devDependencies: { ...(deps['@wslbench/core'] ? {} : { '@wslbench/core': '*' }), '@wslbench/engine': '*' },
  });
}

const TSCONFIG = json({
  extends: '../../tsconfig.base.json',
  compilerOptions: { rootDir: 'src', outDir: 'dist' },
  include: ['src'],
  exclude: ['src/**/*.test.ts'],
});

/**
 * Registers the method in packages/registry: its import (kept in module order, as the linter sorts them), its entry
 * at the end of the weakly-supervised methods (before U-Net), and the dependency.
 */
function register(root: string, n: MethodNames): string[] {
  const indexPath = join(root, 'packages/registry/src/index.ts');
  const src = readFileSync(indexPath, 'utf8');
  const importLine = `import { method as ${n.pascal[0]!.toLowerCase()}${n.pascal.slice(1)} } from '@wslbench/method-${n.id}';`;
  const lines = src.split('\n');
  const methodImports = lines
    .map((l, i) => ({ l, i, mod: /from '@wslbench\/method-([a-z0-9-]+)';$/.exec(l)?.[1] }))
    .filter((x) => x.mod !== undefined);
  if (!methodImports.length) throw new Error(`${indexPath}: no method imports found to register '${n.id}' next to`);
  const after = methodImports.filter((x) => x.mod! < n.id).pop();
  lines.splice(after ? after.i + 1 : methodImports[0]!.i, 0, importLine);
  let out = lines.join('\n');
  const entry = `${n.pascal[0]!.toLowerCase()}${n.pascal.slice(1)},`;
  const unet = out.indexOf('\n  unet,\n');
  if (unet < 0) throw new Error(`${indexPath}: the METHODS list has no 'unet,' line to insert '${n.id}' before`);
  out = `${out.slice(0, unet)}\n  ${entry}${out.slice(unet)}`;
  writeFileSync(indexPath, out);

  const pjPath = join(root, 'packages/registry/package.json');
  const pj = JSON.parse(readFileSync(pjPath, 'utf8')) as { dependencies: Record<string, string> };
  pj.dependencies[`@wslbench/method-${n.id}`] = '*';
  writeFileSync(pjPath, json(pj));
  return ['packages/registry/src/index.ts', 'packages/registry/package.json'];
}

/** Writes methods/<id>/ from the kind's template and registers it. Refuses an id that exists. */
export function scaffoldMethod(root: string, id: string, kind: MethodKind): ScaffoldResult {
  const n = methodNames(id);
  const dir = join(root, 'methods', id);
  if (existsSync(dir)) throw new Error(`${dir} exists: choose another id`);
  const registry = readFileSync(join(root, 'packages/registry/src/index.ts'), 'utf8');
  if (registry.includes(`'@wslbench/method-${id}'`)) throw new Error(`'${id}' is already in the registry`);
  const files: Record<string, string> = {
    'package.json': packageJson(n, kind),
    'tsconfig.json': TSCONFIG,
    'README.md': readmeTemplate(n, kind),
    'src/index.ts': methodTemplate(kind).index(n),
    [`src/${id}.test.ts`]: testTemplate(n, kind),
  };
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { written: Object.keys(files).map((f) => `methods/${id}/${f}`), edited: register(root, n) };
}
