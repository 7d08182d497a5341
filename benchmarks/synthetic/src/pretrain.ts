import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { type DatasetSource, ParamStore, rngStream, writeJsonAtomic } from '@wslbench/core';
import { defaultDataRoot, openDataset } from '@wslbench/data';
import { initEngine } from '@wslbench/engine';
import { method as cam } from '@wslbench/method-cam';
import { readBlob, realBackboneFactory, writeBlob } from '@wslbench/trainer';
import { INPUT, PRETRAIN, PRETRAIN_DEFAULT, PRETRAIN_POOL, pretrainPoolSettings, SYNTHETIC_DATASETS } from './grid.js';
import { MergedDataset } from './merged-dataset.js';

/**
 * No ImageNet weights exist offline, and the protocol assumes a pretrained encoder. So each CPU backbone variant is
 * pretrained once as a GAP + FC classifier over the pretraining pool (PRETRAIN_POOL: its own seed-1 sample of every
 * synthetic preset, 4 classes, image labels only: no mask and no benchmark image is seen), with Adam (this is not
 * the protocol's training, only its starting point, like ImageNet pretraining). The weights are shipped in
 * `pretrained/` (regenerate with `node benchmarks/synthetic/dist/pretrain-cli.js <backbone>`); a missing file is
 * pretrained by the benchmark first.
 */
export const PRETRAINED_DIR = fileURLToPath(new URL('../pretrained/', import.meta.url));
export const PRETRAIN_DATASET_ID = 'synth-tissue';

export function pretrainedFile(backbone: string, dir = PRETRAINED_DIR): string {
  return join(dir, `${backbone.replace(/[:/]/g, '-')}.json`);
}

export interface PretrainHeader {
  schema: 'wslbench/pretrained-encoder@1';
  backbone: string;
  prefix: string;
  data: string[];
  epochs: number;
  optimizer: { name: 'adam'; lr: number; batchSize: number };
  seed: number;
  history: { epoch: number; loss: number; trainAccuracy: number }[];
  blob: ReturnType<typeof writeBlob>;
  createdAt: string;
}

/** The encoder weights of a pretraining file (the classification head is not kept). */
export function readPretrained(file: string) {
  if (!existsSync(file))
    throw new Error(`pretrained encoder ${file} is missing (run the benchmark or pretrain-cli to create it)`);
  const header = JSON.parse(readFileSync(file, 'utf8')) as PretrainHeader;
  return { header, weights: readBlob(join(file, '..', header.blob.file), header.blob) };
}

/** The pretraining pool's folder under the data root. */
export function pretrainPoolRoot(dataRoot = defaultDataRoot()): string {
  return join(dataRoot, PRETRAIN_POOL.folder);
}

/** The pretraining pool (generated on first use), all presets merged into one 4-class source. */
export async function openPretrainData(seed = 0, dataRoot = pretrainPoolRoot()): Promise<DatasetSource> {
  const pool = pretrainPoolSettings();
  const sources = await Promise.all(
    SYNTHETIC_DATASETS.map((d) => openDataset({ dataset: d, fold: 0, seed, dataRoot, synth: pool[d] })),
  );
  return new MergedDataset(PRETRAIN_DATASET_ID, sources);
}

export async function pretrainEncoder(
  backbone: string,
  {
    epochs = (PRETRAIN[backbone] ?? PRETRAIN_DEFAULT).epochs,
    lr = (PRETRAIN[backbone] ?? PRETRAIN_DEFAULT).lr,
    batchSize = 16,
    seed = 0,
    dir = PRETRAINED_DIR,
    log = (_: string) => {},
    dataRoot = pretrainPoolRoot(),
  } = {},
): Promise<string> {
  const info = await initEngine({ ...(process.env.WSLBENCH_BACKEND ? { backend: process.env.WSLBENCH_BACKEND } : {}) });
  const data = await openPretrainData(seed, dataRoot);
  const params = new ParamStore(rngStream(seed, 'pretrain', backbone, 'init'));
  const bb = realBackboneFactory(backbone, { params });
  const model = cam.build(bb, {
    numClasses: data.numClasses,
    hp: {},
    params,
    inputSize: INPUT.crop,
    rng: rngStream(seed, 'pretrain', backbone, 'build'),
  });
  const opt = tf.train.adam(lr);
  const history: PretrainHeader['history'] = [];
  const vars = params.trainable().map((p) => p.variable);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let lossSum = 0;
    let seen = 0;
    const stream = rngStream(seed, 'pretrain', backbone, 'epoch', epoch);
    for await (const batch of data.batches('train', { batchSize, mode: 'train', input: INPUT, rng: stream })) {
      const ctx = { hp: {}, rng: stream, epoch, step: seen, numClasses: data.numClasses };
      const value = opt.minimize(() => cam.loss(model, batch, ctx), true, vars)!;
      const loss = value.dataSync()[0]!;
      value.dispose();
      lossSum += loss * batch.ids.length;
      seen += batch.ids.length;
      tf.dispose([batch.images, batch.labels, ...(batch.masks ? [batch.masks] : [])]);
      if (!Number.isFinite(loss)) throw new Error(`pretraining ${backbone}: non-finite loss at epoch ${epoch}`);
    }
    const correct = await trainAccuracy(model, data, batchSize);
    history.push({ epoch, loss: lossSum / seen, trainAccuracy: correct });
    log(
      `[pretrain] ${backbone} epoch ${epoch}/${epochs} loss ${(lossSum / seen).toFixed(4)} train acc ${correct.toFixed(1)}% (${info.backend})`,
    );
  }
  const file = pretrainedFile(backbone, dir);
  const blobName = `${backbone.replace(/[:/]/g, '-')}.bin`;
  const blob = writeBlob(join(dir, blobName), blobName, params.snapshot(bb.prefix));
  const header: PretrainHeader = {
    schema: 'wslbench/pretrained-encoder@1',
    backbone,
    prefix: bb.prefix,
    data: Object.entries(pretrainPoolSettings()).map(([d, synth]) => `${d} train (${JSON.stringify(synth)})`),
    epochs,
    optimizer: { name: 'adam', lr, batchSize },
    seed,
    history,
    blob,
    createdAt: new Date().toISOString(),
  };
  writeJsonAtomic(file, header);
  opt.dispose();
  model.dispose();
  return file;
}

/** Classification accuracy (%) on the train split at eval geometry. */
async function trainAccuracy(
  model: ReturnType<typeof cam.build>,
  data: DatasetSource,
  batchSize: number,
): Promise<number> {
  let hit = 0;
  let n = 0;
  for await (const b of data.batches('train', { batchSize, mode: 'eval', input: INPUT })) {
    const pred = tf.tidy(() => tf.argMax(cam.classify(model, b.images), 1).dataSync());
    const lab = b.labels.dataSync();
    for (let i = 0; i < lab.length; i++) hit += pred[i] === lab[i] ? 1 : 0;
    n += lab.length;
    tf.dispose([b.images, b.labels, ...(b.masks ? [b.masks] : [])]);
  }
  return (100 * hit) / n;
}
