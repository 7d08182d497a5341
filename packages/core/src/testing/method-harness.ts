import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data-types.js';
import type { AnyMethod, BuildContext, MethodModel, StepContext } from '../method.js';
import { ParamStore } from '../nn/params.js';
import { rngStream } from '../seeds.js';
import { tinyBackbone } from './tiny-backbone.js';

/**
 * Test helpers shared by method packages: a toy batch where class-1 images carry a bright textured square
 * (the foreground), a method built on the tiny backbone, and a few plain SGD steps.
 */
export function toyBatch(n: number, size: number, seed = 0, { negatives = false } = {}): Batch {
  const rng = rngStream(seed, 'toy-batch');
  const img = new Float32Array(n * size * size * 3);
  const mask = new Int32Array(n * size * size);
  const labels: number[] = [];
  const fullyNegative: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    labels.push(label);
    const s = Math.max(2, Math.floor(size / 3));
    const y0 = Math.floor(rng() * (size - s));
    const x0 = Math.floor(rng() * (size - s));
    const hasRoi = label === 1 || !negatives;
    fullyNegative.push(!hasRoi);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const inside = hasRoi && y >= y0 && y < y0 + s && x >= x0 && x < x0 + s;
        const o = ((i * size + y) * size + x) * 3;
        const base = (rng() - 0.5) * 0.5;
        const fg = inside ? (label === 1 ? 1.5 : 0.75) * ((x + y) % 2 === 0 ? 1 : 0.5) : 0;
        img[o] = base + fg;
        img[o + 1] = base - fg * 0.5;
        img[o + 2] = base + fg * 0.25;
        mask[(i * size + y) * size + x] = inside ? 1 : 0;
      }
  }
  return {
    images: tf.tensor4d(img, [n, size, size, 3]),
    labels: tf.tensor1d(labels, 'int32'),
    masks: tf.tensor3d(mask, [n, size, size], 'int32'),
    fullyNegative,
    ids: labels.map((_, i) => `toy-${i}`),
  };
}

export function buildOnTiny<M extends MethodModel>(
  method: AnyMethod,
  {
    hp = {},
    numClasses = 2,
    inputSize = 16,
    seed = 0,
    channels = 8,
    pretrained,
  }: {
    hp?: Record<string, unknown>;
    numClasses?: number;
    inputSize?: number;
    seed?: number;
    channels?: number;
    pretrained?: BuildContext<unknown>['pretrained'];
  } = {},
): { model: M; hp: unknown } {
  const params = new ParamStore(rngStream(seed, method.id, 'init'));
  const backbone = tinyBackbone(params, { channels });
  const parsed = method.hyperparams.parse(hp);
  const model = method.build(backbone, {
    numClasses,
    hp: parsed,
    params,
    inputSize,
    rng: rngStream(seed, method.id, 'build'),
    ...(pretrained ? { pretrained } : {}),
  }) as M;
  return { model, hp: parsed };
}

export function stepContext(hp: unknown, seed = 0, numClasses = 2): StepContext<any> {
  return { hp, rng: rngStream(seed, 'step'), epoch: 0, step: 0, numClasses };
}

/** Plain SGD steps on the method's loss; returns the loss values. */
export function trainSteps(
  method: AnyMethod,
  model: MethodModel,
  batch: Batch,
  steps: number,
  hp: unknown,
  lr = 0.05,
): number[] {
  const losses: number[] = [];
  const ctx = stepContext(hp);
  for (let s = 0; s < steps; s++) {
    ctx.step = s;
    const vars = model.params.trainable().map((p) => p.variable);
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => method.loss(model, batch, ctx), vars);
      for (const v of vars) {
        const g = grads[v.name];
        if (g) v.assign(tf.sub(v, tf.mul(g, lr)));
      }
      return value;
    });
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  return losses;
}
