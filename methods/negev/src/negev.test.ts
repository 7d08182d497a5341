import * as tf from '@tensorflow/tfjs-core';
import { type Batch, disposeBatch, ParamStore, rngStream, type WeightSnapshot } from '@wslbench/core';
import { buildOnTiny, learnsToyTask, stepContext, tinyBackbone, toyBatch, trainSteps } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { defineCamMethod, type WgapModel } from '@wslbench/heads';
import { z } from 'zod';
import { method, type NegevHyperparams, type NegevModel, negevPixelWeights } from './index.js';

beforeAll(async () => {
  // The engine registers TF.js's gradient functions (and the wasm training kernels).
  await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
});

const SIZE = 16;
/** Tiny decoder: 256-128-64 x 1/16 = 16-8-4 channels on the 3-stage tiny backbone. */
const TINY = { decoderScale: 1 / 16 };

/** A CAM classifier (the heads package's CAM base, as methods/cam defines it) for NEGEV's frozen weights. */
const cam = defineCamMethod({
  id: 'cam',
  title: 'CAM',
  citation: '',
  family: 'cam',
  hyperparams: z.object({}).strict(),
});

let camWeights: WeightSnapshot;
beforeAll(() => {
  // The frozen classifier: CAM trained a few steps on the toy task (class 1 = a textured square).
  const batch = toyBatch(8, SIZE, 0, { negatives: true });
  const { model, hp } = buildOnTiny<WgapModel>(cam);
  trainSteps(cam, model, batch, 20, hp, 0.1);
  camWeights = model.params.snapshot();
  model.dispose();
  disposeBatch(batch);
});

function buildNegev(hp: Partial<NegevHyperparams> = {}, weights: WeightSnapshot | null = camWeights, seed = 0) {
  const params = new ParamStore(rngStream(seed, 'negev', 'init'));
  const backbone = tinyBackbone(params, { channels: 8 });
  const parsed = method.hyperparams.parse({ ...TINY, ...hp });
  try {
    const model = method.build(backbone, {
      numClasses: 2,
      hp: parsed,
      params,
      inputSize: SIZE,
      rng: rngStream(seed, 'negev', 'build'),
      ...(weights ? { pretrained: { method: 'cam', weights } } : {}),
    });
    return { model, hp: parsed };
  } catch (e) {
    params.dispose();
    throw e;
  }
}

const frozenNames = (m: NegevModel) =>
  m.params.all().filter((p) => p.name.startsWith('encoder.') || p.name.startsWith('classification_head.'));

describe('NEGEV pixel weights (pseudo-labels folded with λ and the reduction)', () => {
  // Three 2x2 images: 0 and 2 carry ROI evidence, 1 is fully negative. Static n = 1: fg = argmax C, bg = argmin C.
  const cams = Float32Array.from([0.1, 0.9, 0.5, 0.0, /* neg */ 0.3, 0.3, 0.3, 0.3, 1.0, 0.2, 0.0, 0.6]);
  const neg = [false, true, false];
  const opts = {
    n: 1,
    selection: 'static',
    background: 'one-minus-cam',
    evidence: 'both',
    lambda: 0.5,
    fullyNegative: true,
    dilation: 1,
    reduction: 'mean',
  } as const;

  it("'mean': λ / #seeds on each seed, 1 / #negative pixels on every pixel of D⁻ images", () => {
    const w = negevPixelWeights(cams, neg, 2, 2, opts, rngStream(0));
    expect(w.seedPixels).toBe(4);
    expect(w.negativeImages).toBe(1);
    expect([...w.fg]).toEqual([0, 0.125, 0, 0, 0, 0, 0, 0, 0.125, 0, 0, 0]);
    expect([...w.bg]).toEqual([0, 0, 0, 0.125, 0.25, 0.25, 0.25, 0.25, 0, 0, 0.125, 0]);
  });

  it("'sum' (Eq. 4 as written): λ per seed and 1 per D⁻ pixel, averaged over the images", () => {
    const w = negevPixelWeights(cams, neg, 2, 2, { ...opts, reduction: 'sum' }, rngStream(0));
    const third = 1 / 3;
    expect(Array.from(w.fg, (v) => v * 3)).toEqual(
      [0, 0.5, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0].map((v) => expect.closeTo(v, 6)),
    );
    expect(Array.from(w.bg)).toEqual(
      [0, 0, 0, 0.5 * third, third, third, third, third, 0, 0, 0.5 * third, 0].map((v) => expect.closeTo(v, 6)),
    );
  });

  it('without the D⁻ term a fully negative image contributes nothing (and never gets seeds)', () => {
    const w = negevPixelWeights(cams, neg, 2, 2, { ...opts, fullyNegative: false }, rngStream(0));
    expect(w.negativeImages).toBe(0);
    expect([...w.bg.slice(4, 8), ...w.fg.slice(4, 8)]).toEqual(new Array(8).fill(0));
    expect(w.bg[3]).toBe(0.125);
  });
});

describe('NEGEV method', () => {
  it('refuses to build without the CAM weights, or with weights that lack parameters', () => {
    expect(() => buildNegev({}, null)).toThrow(/needs the trained CAM classifier/);
    const partial = { ...camWeights };
    delete partial['classification_head.fc.kernel'];
    delete partial['encoder.conv2.kernel'];
    expect(() => buildNegev({}, partial)).toThrow(
      /lack 2 parameter\(s\).*encoder\.conv2\.kernel.*classification_head\.fc\.kernel/s,
    );
  });

  it('loss = λ·mean CE over the sampled seeds + mean CE(all pixels -> background) on D⁻ images (plain-loop check)', () => {
    const lambda = 0.7;
    const { model, hp } = buildNegev({ selection: 'static', n: 2, lambda });
    const batch = toyBatch(4, SIZE, 3, { negatives: true }); // images 0, 2 fully negative
    const got = tf.tidy(() => method.loss(model, batch, stepContext(hp)).dataSync()[0]!);

    const { seg, cams } = tf.tidy(() => {
      const { features, seg } = model.forward(batch.images, true);
      const c = model.pseudoLabelCams(features, Array.from(batch.labels.dataSync()), [SIZE, SIZE]);
      return { seg: tf.logSoftmax(seg).arraySync() as number[][][][], cams: c.arraySync() as number[][][] };
    });
    let seedSum = 0;
    let seeds = 0;
    let negSum = 0;
    let negPixels = 0;
    for (let i = 0; i < 4; i++) {
      if (batch.fullyNegative[i]) {
        for (const row of seg[i]!) for (const px of row) negSum -= px[0]!;
        negPixels += SIZE * SIZE;
        continue;
      }
      // Static selection: the 2 largest and the 2 smallest CAM values (ties to the lowest index).
      const flat = cams[i]!.flat().map((v, p) => [v, p] as const);
      const top = [...flat].sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 2);
      const low = [...flat].sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, 2);
      for (const [, p] of top) seedSum -= seg[i]![Math.floor(p / SIZE)]![p % SIZE]![1]!;
      for (const [, p] of low) seedSum -= seg[i]![Math.floor(p / SIZE)]![p % SIZE]![0]!;
      seeds += 4;
    }
    expect(batch.fullyNegative).toEqual([true, false, true, false]);
    expect(got).toBeCloseTo((lambda * seedSum) / seeds + negSum / negPixels, 4);

    // Switching the D⁻ term off leaves the seed term only.
    const offHp = { ...hp, fullyNegative: false };
    const off = tf.tidy(() => method.loss(model, batch, stepContext(offHp)).dataSync()[0]!);
    expect(off).toBeCloseTo((lambda * seedSum) / seeds, 4);
    model.dispose();
    disposeBatch(batch);
  });

  it('trains only the decoder: the frozen classifier (weights, BN statistics, logits) is unchanged; memory returns to baseline', () => {
    const { model, hp } = buildNegev({ n: 3 });
    const batch = toyBatch(8, SIZE, 1, { negatives: true });
    const frozen = frozenNames(model);
    expect(frozen.length).toBeGreaterThan(0);
    expect(frozen.every((p) => !p.trainable)).toBe(true);
    expect(
      model.params.trainable().every((p) => p.name.startsWith('decoder.') || p.name.startsWith('segmentation_head.')),
    ).toBe(true);
    const before = Object.fromEntries(frozen.map((p) => [p.name, p.variable.dataSync().slice()]));
    const decoderBefore = model.params.get('decoder.blocks.0.conv1.kernel').variable.dataSync().slice();
    const logitsBefore = tf.tidy(() => method.classify(model, batch.images).dataSync().slice());

    const baseline = tf.memory().numTensors;
    trainSteps(method, model, batch, 4, hp, 0.1);
    tf.dispose(method.localize(model, batch.images, [0, 1, 0, 1, 0, 1, 0, 1], stepContext(hp)));
    tf.dispose(method.classify(model, batch.images));
    expect(tf.memory().numTensors).toBe(baseline);

    for (const p of frozen) expect(p.variable.dataSync()).toEqual(before[p.name]);
    expect(model.params.get('decoder.blocks.0.conv1.kernel').variable.dataSync()).not.toEqual(decoderBefore);
    expect(tf.tidy(() => method.classify(model, batch.images).dataSync())).toEqual(logitsBefore);
    model.dispose();
    disposeBatch(batch);
  });

  it('restores the CAM weights once more at first use (a later backbone init cannot replace the frozen encoder)', () => {
    const { model, hp } = buildNegev();
    const k = model.params.get('encoder.conv1.kernel').variable;
    const want = k.dataSync().slice();
    k.assign(tf.zerosLike(k)); // what an ImageNet init after build would do
    const batch = toyBatch(2, SIZE, 0);
    tf.dispose(method.localize(model, batch.images, [0, 1], stepContext(hp)));
    expect(k.dataSync()).toEqual(want);
    model.dispose();
    disposeBatch(batch);
  });

  it('learns the toy ROI: the foreground map ranks square pixels above the rest, and gives probabilities at input size', () => {
    const { model, hp } = buildNegev({ n: 4 });
    const batch = toyBatch(8, SIZE, 0, { negatives: true });
    const auc = () => rankAuc(model, hp, batch);
    const start = auc();
    trainSteps(method, model, batch, 40, hp, 0.1);
    const end = auc();
    const maps = method.localize(model, batch.images, [0, 1, 0, 1, 0, 1, 0, 1], stepContext(hp));
    expect(maps.shape).toEqual([8, SIZE, SIZE]);
    const v = maps.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    maps.dispose();
    expect(end).toBeGreaterThan(0.9);
    expect(end).toBeGreaterThan(start);
    model.dispose();
    disposeBatch(batch);
  });
});

/** AUC of S¹ for ROI vs non-ROI pixels over all images (fully negative images give negatives only). */
function rankAuc(model: NegevModel, hp: NegevHyperparams, batch: Batch): number {
  const s = tf.tidy(() => method.localize(model, batch.images, [], stepContext(hp)).dataSync());
  const m = batch.masks!.dataSync();
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < s.length; i++) (m[i] === 1 ? pos : neg).push(s[i]!);
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

describe('the shared toy check', () => {
  it('learns the toy task and releases its tensors', () => {
    expect(
      learnsToyTask(method, {
        hp: { ...TINY, n: 4 },
        negatives: true,
        pretrained: { method: 'cam', weights: camWeights },
        mapSize: SIZE,
      }),
    ).toEqual([]);
  });
});
