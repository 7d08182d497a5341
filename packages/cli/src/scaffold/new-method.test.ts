import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyMethod } from '@wslbench/core';
import { learnsToyTask } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { listMethods, syncGeneratedDocs } from '@wslbench/registry';
import { methodNames, parseKind, scaffoldMethod } from './new-method.js';
import { METHOD_KINDS, methodTemplate } from './templates.js';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
/** The files `wslbench new method` and `wslbench docs` read or edit. */
const TOUCHED = [
  'packages/registry/src/index.ts',
  'packages/registry/package.json',
  'docs/methods.md',
  'docs/adding-a-method.md',
  'README.md',
];

let tmp: string;
beforeAll(async () => {
  await initEngine({ backend: 'wasm' });
  tmp = mkdtempSync(join(tmpdir(), 'wslbench-new-method-'));
  for (const f of TOUCHED) {
    mkdirSync(dirname(join(tmp, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(tmp, f));
  }
  mkdirSync(join(tmp, 'methods'));
  // The generated packages resolve zod, TF.js and the type definitions as the repository's own do.
  symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'), 'dir');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('wslbench new method (in a temporary copy of the repository)', () => {
  it('runs the command docs/adding-a-method.md shows, and the new method passes the shared toy check', async () => {
    const doc = readFileSync(join(tmp, 'docs/adding-a-method.md'), 'utf8');
    const m = /npx wslbench new method ([a-z0-9-]+) --from ([a-z]+)/.exec(doc);
    expect(m).not.toBeNull();
    const [, id, from] = m!;
    const { written, edited } = scaffoldMethod(tmp, id!, parseKind(from!));
    expect(written).toEqual([
      `methods/${id}/package.json`,
      `methods/${id}/tsconfig.json`,
      `methods/${id}/README.md`,
      `methods/${id}/src/index.ts`,
      `methods/${id}/src/${id}.test.ts`,
    ]);
    expect(edited).toEqual(['packages/registry/src/index.ts', 'packages/registry/package.json']);
    const registry = readFileSync(join(tmp, 'packages/registry/src/index.ts'), 'utf8');
    expect(registry).toContain(`import { method as scoreCam } from '@wslbench/method-${id}';`);
    expect(registry).toMatch(/ {2}negev,\n {2}scoreCam,\n {2}unet,\n/);
    const pj = JSON.parse(readFileSync(join(tmp, 'packages/registry/package.json'), 'utf8'));
    expect(pj.dependencies[`@wslbench/method-${id}`]).toBe('*');
    const readme = readFileSync(join(tmp, `methods/${id}/README.md`), 'utf8');
    for (const section of ['## Model', '## Hyper-parameters', '## Differences from the reference code'])
      expect(readme).toContain(section);

    const method = (await import(join(tmp, `methods/${id}/src/index.ts`))).method as AnyMethod;
    expect(method.id).toBe(id);
    expect(learnsToyTask(method)).toEqual([]);
    // `wslbench docs` with the new method registered: its row is generated, the README counts 20.
    expect(syncGeneratedDocs(tmp, [...listMethods(), method], { write: true })).toEqual([
      'docs/methods.md',
      'README.md',
    ]);
    expect(readFileSync(join(tmp, 'docs/methods.md'), 'utf8')).toContain(`| \`${id}\` | ScoreCam | weakly | cam |`);
    expect(readFileSync(join(tmp, 'README.md'), 'utf8')).toContain('20 methods: 19 weakly-supervised');
  });

  it.each(METHOD_KINDS.filter((k) => k !== 'cam'))(
    '--from %s gives a method that learns the toy task',
    async (kind) => {
      const id = `probe-${kind}`;
      scaffoldMethod(tmp, id, kind);
      const method = (await import(join(tmp, `methods/${id}/src/index.ts`))).method as AnyMethod;
      const opts = methodTemplate(kind).toyCheck ? Function(`return (${methodTemplate(kind).toyCheck})`)() : {};
      expect(learnsToyTask(method, opts)).toEqual([]);
      expect(readFileSync(join(tmp, `methods/${id}/src/${id}.test.ts`), 'utf8')).toContain(
        `learnsToyTask(method${methodTemplate(kind).toyCheck ? `, ${methodTemplate(kind).toyCheck}` : ''})`,
      );
    },
  );

  it('the generated sources and tests type-check', () => {
    // Extends the repository's tsconfig (its paths map @wslbench/* to the sources), over the generated packages.
    writeFileSync(
      join(tmp, 'tsconfig.json'),
      JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), include: [join(tmp, 'methods/*/src')] }),
    );
    expect(existsSync(join(tmp, 'methods/probe-decoder/src/index.ts'))).toBe(true);
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tmp], {
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses bad ids, unknown bases and an existing method, naming the value', () => {
    expect(() => methodNames('Score_CAM')).toThrow("method id 'Score_CAM'");
    expect(() => parseKind('magic')).toThrow(
      "--from 'magic': expected one of cam, gradient, pooling, erasing, decoder",
    );
    expect(() => scaffoldMethod(tmp, 'score-cam', 'cam')).toThrow(/methods\/score-cam exists/);
  });
});
