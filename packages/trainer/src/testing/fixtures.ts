/**
 * Test fixtures (not part of the build): a tiny synthetic dataset whose class-1 images carry a bright square
 * (the foreground), and a CAM-style method (1x1 conv classifier over the tiny backbone's features, GAP, softmax CE).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type Batch,
  type BatchOptions,
  Conv2d,
  type DatasetSource,
  defineMethod,
  type EnvInfo,
  type MethodModel,
  type ParamStore,
  type Rng,
  rngStream,
  type SplitName,
} from '@wslbench/core';
import { tinyBackbone } from '@wslbench/core/testing';
import { minMaxNormalize } from '@wslbench/metrics';
import { z } from 'zod';

interface Sample {
  id: string;
  label: number;
  image: Float32Array; // HWC in [0, 1]
  mask: Uint8Array; // HW
}

function makeSample(id: string, label: number, size: number): Sample {
  const rng = rngStream('tiny-dataset', id);
  const image = new Float32Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  for (let i = 0; i < image.length; i++) image[i] = 0.2 + 0.3 * rng();
  if (label === 1) {
    const side = Math.floor(size / 3) + Math.floor(rng() * 3);
    const y0 = Math.floor(rng() * (size - side));
    const x0 = Math.floor(rng() * (size - side));
    for (let y = y0; y < y0 + side; y++)
      for (let x = x0; x < x0 + side; x++) {
        mask[y * size + x] = 1;
        for (let c = 0; c < 3; c++) image[(y * size + x) * 3 + c] = 0.85 + 0.15 * rng();
      }
  }
  return { id, label, image, mask };
}

export interface TinyDatasetOptions {
  size?: number;
  counts?: Partial<Record<SplitName, number>>;
}

/** A DatasetSource over generated samples: balanced classes, flips as the only augmentation. */
export function tinyDataset({ size = 16, counts = {} }: TinyDatasetOptions = {}): DatasetSource {
  const n: Record<SplitName, number> = { train: 16, valcl: 8, valpx: 4, test: 8, ...counts };
  const splits = {} as Record<SplitName, Sample[]>;
  for (const s of ['train', 'valcl', 'test'] as const) {
    splits[s] = Array.from({ length: n[s] }, (_, i) => makeSample(`${s}-${i}`, i % 2, size));
  }
  splits.valpx = splits.valcl.slice(0, n.valpx); // valpx is a subset of valcl, as in the protocol
  return {
    id: 'tiny-synth',
    encoding: { normal: 0, square: 1 },
    numClasses: 2,
    hasFullyNegative: true,
    size: (split) => splits[split].length,
    async *batches(split: SplitName, opts: BatchOptions): AsyncIterable<Batch> {
      let items = splits[split];
      const rng: Rng | undefined = opts.rng;
      if (opts.mode === 'train') {
        if (!rng) throw new Error('train mode needs an rng');
        items = items.slice();
        for (let i = items.length - 1; i > 0; i--) {
          const j = Math.floor(rng() * (i + 1));
          [items[i], items[j]] = [items[j]!, items[i]!];
        }
      }
      const mean = opts.mean ?? [0.485, 0.456, 0.406];
      const std = opts.std ?? [0.229, 0.224, 0.225];
      for (let start = 0; start < items.length; start += opts.batchSize) {
        let chunk = items.slice(start, start + opts.batchSize);
        if (opts.mode === 'train')
          while (chunk.length < opts.batchSize) chunk = chunk.concat(items.slice(0, opts.batchSize - chunk.length));
        const data = new Float32Array(chunk.length * size * size * 3);
        const masks = new Int32Array(chunk.length * size * size);
        chunk.forEach((s, k) => {
          const flipH = opts.mode === 'train' && rng!() < 0.5;
          for (let y = 0; y < size; y++)
            for (let x = 0; x < size; x++) {
              const sx = flipH ? size - 1 - x : x;
              masks[k * size * size + y * size + x] = s.mask[y * size + sx]!;
              for (let c = 0; c < 3; c++) {
                data[((k * size + y) * size + x) * 3 + c] = (s.image[(y * size + sx) * 3 + c]! - mean[c]!) / std[c]!;
              }
            }
        });
        yield {
          images: tf.tensor4d(data, [chunk.length, size, size, 3]),
          labels: tf.tensor1d(
            chunk.map((s) => s.label),
            'int32',
          ),
          ...(opts.mode === 'eval' || opts.withMasks
            ? { masks: tf.tensor3d(masks, [chunk.length, size, size], 'int32') as tf.Tensor3D }
            : {}),
          fullyNegative: chunk.map((s) => s.label === 0),
          ids: chunk.map((s) => s.id),
        };
      }
    },
  };
}

interface GapModel extends MethodModel {
  classifier: Conv2d;
}

const GapHp = z.object({ nanAtEpoch: z.number().int().default(-1) }).strict();

/** CAM over the tiny backbone: 1x1 conv to class scores, GAP for logits, the GT class's map min-max normalised. */
export const tinyCamMethod = defineMethod<z.infer<typeof GapHp>, GapModel>({
  id: 'tiny-cam',
  title: 'Tiny CAM (test fixture)',
  citation: 'test fixture',
  family: 'cam',
  hyperparams: GapHp,
  searchSpace: {},
  requirements: {},
  build(backbone, ctx) {
    const classifier = new Conv2d(ctx.params, 'head.classifier', {
      inChannels: backbone.outChannels,
      outChannels: ctx.numClasses,
      kernel: 1,
      group: 'head',
      init: { kind: 'xavierUniform' },
    });
    return { backbone, params: ctx.params, classifier, dispose() {} };
  },
  loss(model, batch, ctx) {
    const features = model.backbone.forward(batch.images, { training: true, rng: ctx.rng }).features;
    const logits = tf.mean(model.classifier.apply(features), [1, 2]) as tf.Tensor2D;
    const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(batch.labels, ctx.numClasses), logits) as tf.Scalar;
    // Test hook: a NaN loss from the given epoch on.
    return ctx.hp.nanAtEpoch >= 0 && ctx.epoch >= ctx.hp.nanAtEpoch ? (tf.mul(ce, Number.NaN) as tf.Scalar) : ce;
  },
  localize(model, images, classes) {
    const scores = model.classifier.apply(model.backbone.forward(images, { training: false }).features);
    const [n, _h, _w, c] = scores.shape;
    const onehot = tf.reshape(tf.oneHot(tf.tensor1d(classes, 'int32'), c), [n, 1, 1, c]);
    return minMaxNormalize(tf.sum(tf.mul(scores, onehot), 3));
  },
  classify(model, images) {
    return tf.mean(
      model.classifier.apply(model.backbone.forward(images, { training: false }).features),
      [1, 2],
    ) as tf.Tensor2D;
  },
});

export const tinyBackboneFactory = (_id: string, opts: { params: ParamStore }) =>
  tinyBackbone(opts.params, { channels: 4 });

export const testEnv: EnvInfo = {
  backend: 'cpu',
  tfjsVersion: tf.version_core,
  node: process.version,
  platform: process.platform,
  packages: {},
  commit: null,
};

const ReluHp = z.object({ reuseTinyCamRun: z.boolean().default(false), noise: z.number().default(0.05) }).strict();

/**
 * A second map on tinyCamMethod's classifier (its training exactly, CE without the NaN hook): ReLU of the class map
 * plus a little seeded noise (so that its evaluation streams matter). With `reuseTinyCamRun` its training is
 * tiny-cam's (`trainingOf`), as the gradient CAMs' is CAM's with `reuseCamRun`.
 */
export const tinyReluCamMethod = defineMethod<z.infer<typeof ReluHp>, GapModel>({
  id: 'tiny-relu-cam',
  title: 'Tiny ReLU-CAM (test fixture)',
  citation: 'test fixture',
  family: 'gradient',
  hyperparams: ReluHp,
  searchSpace: {},
  requirements: {},
  trainingOf: (hp) => (hp.reuseTinyCamRun ? 'tiny-cam' : 'tiny-relu-cam'),
  build: (backbone, ctx) => tinyCamMethod.build(backbone, { ...ctx, hp: { nanAtEpoch: -1 } }),
  loss: (model, batch, ctx) => tinyCamMethod.loss(model, batch, { ...ctx, hp: { nanAtEpoch: -1 } }),
  localize(model, images, classes, ctx) {
    const scores = model.classifier.apply(model.backbone.forward(images, { training: false }).features);
    const [n, h, w, c] = scores.shape;
    const onehot = tf.reshape(tf.oneHot(tf.tensor1d(classes, 'int32'), c), [n, 1, 1, c]);
    const noise = tf.randomUniform([n, h, w], 0, ctx.hp.noise, 'float32', ctx.rng.int32());
    return minMaxNormalize(tf.add(tf.relu(tf.sum(tf.mul(scores, onehot), 3)), noise) as tf.Tensor3D);
  },
  classify: (model, images) => tinyCamMethod.classify(model, images),
});
