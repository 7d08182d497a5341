import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, ParamStore, rngStream } from '@wslbench/core';
import { openDataset } from '@wslbench/data';
import { initEngine } from '@wslbench/engine';
import { readEncoderFile, realBackboneFactory } from '@wslbench/trainer';
import { INPUT, SYNTHETIC_DATASETS, synthSettings } from './grid.js';
import { pretrainedFile } from './pretrain.js';

/** Pooled (GAP) encoder features of one split at eval geometry, with the image labels. */
async function pooledFeatures(
  encoder: ReturnType<typeof realBackboneFactory>,
  dataset: Awaited<ReturnType<typeof openDataset>>,
  split: 'train' | 'test',
): Promise<{ x: tf.Tensor2D; y: tf.Tensor1D }> {
  const xs: tf.Tensor[] = [];
  const ys: number[] = [];
  for await (const b of dataset.batches(split, { batchSize: 16, mode: 'eval', input: INPUT })) {
    xs.push(tf.tidy(() => tf.mean(encoder.forward(b.images, { training: false }).features, [1, 2])));
    ys.push(...b.labels.dataSync());
    disposeBatch(b);
  }
  const x = tf.concat(xs) as tf.Tensor2D;
  tf.dispose(xs);
  return { x, y: tf.tensor1d(ys, 'float32') };
}

/**
 * Linear probe of a pretrained encoder: logistic regression on its standardised pooled features, fitted on a
 * benchmark preset's train split and scored (accuracy, %) on its test split. It says how separable the classes are
 * before any weakly-supervised training, i.e. how good a starting point the pretraining gives.
 */
export async function linearProbe(backbone: string, file = pretrainedFile(backbone)): Promise<Record<string, number>> {
  await initEngine({ ...(process.env.WSLBENCH_BACKEND ? { backend: process.env.WSLBENCH_BACKEND } : {}) });
  const params = new ParamStore(rngStream(0, 'probe', backbone));
  const encoder = realBackboneFactory(backbone, { params });
  params.restore(readEncoderFile(file), { prefix: encoder.prefix });
  const out: Record<string, number> = {};
  for (const d of SYNTHETIC_DATASETS) {
    const dataset = await openDataset({ dataset: d, synth: synthSettings()[d] });
    const train = await pooledFeatures(encoder, dataset, 'train');
    const test = await pooledFeatures(encoder, dataset, 'test');
    const { mean, variance } = tf.moments(train.x, 0);
    const sd = tf.sqrt(tf.add(variance, 1e-8));
    const standardise = (x: tf.Tensor2D) => tf.div(tf.sub(x, mean), sd) as tf.Tensor2D;
    const w = tf.variable(tf.zeros([train.x.shape[1], 1]));
    const b = tf.variable(tf.scalar(0));
    const opt = tf.train.adam(0.05);
    const xn = standardise(train.x);
    const target = tf.reshape(train.y, [-1, 1]);
    const loss = () =>
      tf.add(tf.losses.sigmoidCrossEntropy(target, tf.add(tf.matMul(xn, w), b)), tf.mul(tf.sum(tf.square(w)), 1e-3));
    for (let it = 0; it < 300; it++) opt.minimize(loss as () => tf.Scalar);
    const correct = tf.tidy(() => {
      const pred = tf.cast(tf.greater(tf.reshape(tf.add(tf.matMul(standardise(test.x), w), b), [-1]), 0), 'float32');
      return tf.sum(tf.equal(pred, test.y)).dataSync()[0]!;
    });
    out[d] = (100 * correct) / test.y.shape[0];
    tf.dispose([train.x, train.y, test.x, test.y, mean, variance, sd, w, b, xn, target]);
    opt.dispose();
  }
  return out;
}
