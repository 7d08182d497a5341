import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { type AnyMethod, disposeBatch, type MethodModel } from '@wslbench/core';
import { buildOnTiny, stepContext, toyBatch, trainSteps } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { getMethod, listMethods, methodsSentence, replaceSection, syncGeneratedDocs } from './index.js';

const methodsDir = fileURLToPath(new URL('../../../methods', import.meta.url));

beforeAll(async () => {
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

describe('registry', () => {
  it('lists every workspace under methods/ exactly once, by the id its folder names', () => {
    const folders = readdirSync(methodsDir)
      .filter((d) => !d.startsWith('.'))
      .sort();
    const ids = listMethods().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(folders);
    for (const f of folders) {
      const pkg = JSON.parse(readFileSync(join(methodsDir, f, 'package.json'), 'utf8')) as { name: string };
      expect(pkg.name).toBe(`@wslbench/method-${f}`);
    }
  });

  it("is in the paper's Table 1 row order, and every method names its paper row and summary", () => {
    const paper = JSON.parse(readFileSync(join(methodsDir, '..', 'packages/report/data/paper-tables.json'), 'utf8'));
    const rows = Object.keys(paper.table1_pxap);
    // A method the paper has no row for (a new one) has no paperKey and follows the paper's methods.
    expect(listMethods().flatMap((m) => (m.paperKey ? [m.paperKey] : []))).toEqual(rows);
    for (const m of listMethods()) expect(m.summary?.trained && m.summary.map).toBeTruthy();
    expect(
      listMethods()
        .filter((m) => m.group === 'fully-supervised')
        .map((m) => m.id),
    ).toEqual(['unet']);
  });

  it('keeps the generated method docs (docs/methods.md, README.md) in sync with the descriptors', () => {
    expect(syncGeneratedDocs(join(methodsDir, '..'), listMethods(), { write: false })).toEqual([]);
    expect(methodsSentence(listMethods())).toMatch(/^19 methods: 18 weakly-supervised .* and 1 fully supervised/);
  });

  it('replaces only between the markers, and names the file whose markers are missing', () => {
    const text = 'a <!-- generated:x -->old<!-- /generated:x --> b';
    expect(replaceSection(text, 'F.md', 'x', 'new')).toBe('a <!-- generated:x -->new<!-- /generated:x --> b');
    expect(() => replaceSection('no markers', 'F.md', 'x', 'new')).toThrow(
      'F.md: missing the markers <!-- generated:x --> ... <!-- /generated:x -->',
    );
  });

  it('names the known ids when a method is unknown', () => {
    expect(() => getMethod('nope')).toThrow(/unknown method 'nope' \(known: .*cam/);
  });
});

/** A method needing another's classifier (NEGEV) gets it trained for a few steps on the same toy data. */
function pretrainedFor(m: AnyMethod, batch: ReturnType<typeof toyBatch>) {
  const from = m.requirements.classifierFrom;
  if (!from) return undefined;
  const base = getMethod(from);
  const { model, hp } = buildOnTiny<MethodModel>(base, { inputSize: 16 });
  trainSteps(base, model, batch, 3, hp, 0.05);
  const weights = model.params.snapshot();
  model.dispose();
  return { method: from, weights };
}

describe.each(listMethods().map((m) => [m.id, m] as const))('method %s (contract)', (_id, m) => {
  it('builds on a tiny backbone, trains, localizes in [0,1] for given classes, and releases its tensors', () => {
    const batch = toyBatch(4, 16, 0, { negatives: m.requirements.fullyNegative === true });
    const pretrained = pretrainedFor(m, batch);
    const { model, hp } = buildOnTiny<MethodModel>(m, { inputSize: 16, ...(pretrained ? { pretrained } : {}) });
    const before = tf.memory().numTensors;
    const losses = trainSteps(m, model, batch, 2, hp, 0.01);
    expect(losses.every(Number.isFinite)).toBe(true);
    const classes = [0, 1, 1, 0];
    for (let rep = 0; rep < 2; rep++) {
      const maps = tf.tidy(() => m.localize(model, batch.images, classes, stepContext(hp)));
      expect(maps.shape[0]).toBe(4);
      expect(maps.rank).toBe(3);
      const v = maps.dataSync();
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...v)).toBeLessThanOrEqual(1);
      maps.dispose();
      const logits = tf.tidy(() => m.classify(model, batch.images));
      expect(logits.shape).toEqual([4, 2]);
      logits.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    disposeBatch(batch);
  });
});

/**
 * On CAM's classifier (GAP then a linear layer) the class logit's gradient w.r.t. the activations is w_c,k / HW at
 * every position, whatever the input: so XGradCAM's weights equal GradCAM's, and Smooth-GradCAM++'s noisy copies give
 * GradCAM++'s weights. The main job trains the gradient CAMs as CAM (reuseCamRun), where these pairs score the same;
 * this pins that down as a property of the maps, not of the board.
 */
describe('gradient CAMs on one GAP-linear classifier', () => {
  /** The maps of methods a and b on one classifier: a's, trained 3 steps on toy data, its weights copied into b's. */
  function mapsOnOneClassifier(a: string, b: string): [Float32Array, Float32Array] {
    const batch = toyBatch(4, 16, 0);
    const [ma, mb] = [getMethod(a), getMethod(b)];
    const A = buildOnTiny<MethodModel>(ma, { inputSize: 16, hp: { reuseCamRun: true } });
    trainSteps(ma, A.model, batch, 3, A.hp, 0.05);
    const B = buildOnTiny<MethodModel>(mb, { inputSize: 16, hp: { reuseCamRun: true } });
    B.model.params.restore(A.model.params.snapshot());
    const classes = [0, 1, 1, 0];
    const mapA = tf.tidy(() => ma.localize(A.model, batch.images, classes, stepContext(A.hp)));
    const mapB = tf.tidy(() => mb.localize(B.model, batch.images, classes, stepContext(B.hp)));
    const out: [Float32Array, Float32Array] = [mapA.dataSync() as Float32Array, mapB.dataSync() as Float32Array];
    tf.dispose([mapA, mapB]);
    A.model.dispose();
    B.model.dispose();
    disposeBatch(batch);
    return out;
  }

  it.each([
    ['gradcam', 'xgradcam'],
    ['gradcam-pp', 'smooth-gradcam-pp'],
  ])('%s and %s give the same maps', (a, b) => {
    const [va, vb] = mapsOnOneClassifier(a, b);
    expect(Math.max(...va) - Math.min(...va)).toBeGreaterThan(0.1); // a map with structure, not a constant
    for (let i = 0; i < va.length; i++) expect(vb[i]!).toBeCloseTo(va[i]!, 4);
  });

  it('LayerCAM differs from GradCAM++ (positive gradients times activations, per position)', () => {
    const [va, vb] = mapsOnOneClassifier('gradcam-pp', 'layercam');
    expect(Math.max(...va.map((v, i) => Math.abs(v - vb[i]!)))).toBeGreaterThan(1e-3);
  });
});
