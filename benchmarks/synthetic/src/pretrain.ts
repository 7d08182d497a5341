import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  type Batch,
  type DatasetSource,
  disposeBatch,
  ParamStore,
  type Rng,
  rngStream,
  type WeightSnapshot,
  writeJsonAtomic,
} from '@wslbench/core';
import { defaultDataRoot, openDataset } from '@wslbench/data';
import { initEngine } from '@wslbench/engine';
import { method as cam } from '@wslbench/method-cam';
import { readBlob, realBackboneFactory, writeBlob } from '@wslbench/trainer';
import {
  INPUT,
  PRETRAIN,
  PRETRAIN_DEFAULT,
  PRETRAIN_POOL,
  type PretrainStage,
  pretrainPoolSettings,
  SYNTHETIC_DATASETS,
} from './grid.js';
import { MergedDataset } from './merged-dataset.js';
import { cutTissueTiles, TILE, TILE_CLASSES, type TissueTable, tissueTable } from './tissue-tiles.js';

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

export interface PretrainStageRecord extends PretrainStage {
  classes: string[];
  history: { epoch: number; loss: number; trainAccuracy: number }[];
}

export interface PretrainHeader {
  schema: 'wslbench/pretrained-encoder@2';
  backbone: string;
  prefix: string;
  data: string[];
  optimizer: { name: 'adam'; batchSize: number };
  seed: number;
  /** In order; each stage starts from the previous stage's encoder with a new classification head. */
  stages: PretrainStageRecord[];
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
export async function openPretrainData(
  dataRoot = pretrainPoolRoot(),
  perClass: number = PRETRAIN_POOL.perClass,
): Promise<DatasetSource> {
  const pool = pretrainPoolSettings(perClass);
  const sources = await Promise.all(
    SYNTHETIC_DATASETS.map((d) => openDataset({ dataset: d, fold: 0, dataRoot, synth: pool[d] })),
  );
  return new MergedDataset(PRETRAIN_DATASET_ID, sources);
}

export async function pretrainEncoder(
  backbone: string,
  {
    stages = PRETRAIN[backbone] ?? PRETRAIN_DEFAULT,
    batchSize = 16,
    seed = 0,
    dir = PRETRAINED_DIR,
    log = (_: string) => {},
    dataRoot = pretrainPoolRoot(),
    poolPerClass = PRETRAIN_POOL.perClass,
    resume,
  }: {
    stages?: readonly PretrainStage[];
    /** The encoder after the first `completed.length` stages (which must equal those of `stages`): they are skipped. */
    resume?: { encoder: WeightSnapshot; completed: PretrainStageRecord[] };
    batchSize?: number;
    seed?: number;
    dir?: string;
    log?: (line: string) => void;
    dataRoot?: string;
    /** Train images per class and preset of the pool (tests use a few; the shipped encoders PRETRAIN_POOL's 400). */
    poolPerClass?: number;
  } = {},
): Promise<string> {
  const info = await initEngine({ ...(process.env.WSLBENCH_BACKEND ? { backend: process.env.WSLBENCH_BACKEND } : {}) });
  const data = await openPretrainData(dataRoot, poolPerClass);
  const table = tissueTable(data.encoding);
  const records: PretrainStageRecord[] = [...(resume?.completed ?? [])];
  if (records.length >= stages.length)
    throw new Error(`pretraining ${backbone}: no stage left to run (${records.length} resumed of ${stages.length})`);
  for (const [s, done] of records.entries()) {
    const want = stages[s];
    if (!want || want.task !== done.task || want.epochs !== done.epochs || want.lr !== done.lr)
      throw new Error(
        `pretraining ${backbone}: resumed stage ${s + 1} (${done.task}:${done.epochs}:${done.lr}) differs from the recipe's`,
      );
  }
  let encoder = resume?.encoder;
  let prefix = '';
  for (const [s, stage] of stages.entries()) {
    if (s < records.length) continue;
    // Stage 0 keeps the stream names of the single-stage pretraining, so its weights are unchanged by later stages.
    const named = (...parts: (string | number)[]) =>
      s === 0
        ? rngStream(seed, 'pretrain', backbone, ...parts)
        : rngStream(seed, 'pretrain', backbone, 'stage', s, ...parts);
    const params = new ParamStore(named('init'));
    const bb = realBackboneFactory(backbone, { params });
    if (encoder) params.restore(encoder, { prefix: bb.prefix });
    const tiles = stage.task === 'tiles';
    const numClasses = tiles ? TILE_CLASSES.length : data.numClasses;
    const model = cam.build(bb, {
      numClasses,
      hp: {},
      params,
      inputSize: tiles ? TILE.size : INPUT.crop,
      rng: named('build'),
    });
    const opt = tf.train.adam(stage.lr);
    const history: PretrainStageRecord['history'] = [];
    const vars = params.trainable().map((p) => p.variable);
    for (let epoch = 1; epoch <= stage.epochs; epoch++) {
      let lossSum = 0;
      let seen = 0;
      const stream = named('epoch', epoch);
      const keep = named('epoch', epoch, 'tiles');
      for await (const batch of data.batches('train', {
        batchSize,
        mode: 'train',
        input: INPUT,
        rng: stream,
        withMasks: tiles,
      })) {
        const step = tiles ? tilesOf(batch, table, keep) : batch;
        const n = step.labels.shape[0];
        if (n > 0) {
          const ctx = { hp: {}, rng: stream, epoch, step: seen, numClasses };
          const value = opt.minimize(() => cam.loss(model, step, ctx), true, vars)!;
          const loss = value.dataSync()[0]!;
          value.dispose();
          if (!Number.isFinite(loss)) throw new Error(`pretraining ${backbone}: non-finite loss at epoch ${epoch}`);
          lossSum += loss * n;
          seen += n;
        }
        disposeBatch(step);
      }
      const correct = await trainAccuracy(model, data, batchSize, tiles ? table : undefined);
      history.push({ epoch, loss: lossSum / seen, trainAccuracy: correct });
      log(
        `[pretrain] ${backbone} stage ${s + 1}/${stages.length} (${stage.task}) epoch ${epoch}/${stage.epochs} loss ${(lossSum / seen).toFixed(4)} train acc ${correct.toFixed(1)}% (${info.backend})`,
      );
    }
    encoder = params.snapshot(bb.prefix);
    prefix = bb.prefix;
    records.push({
      ...stage,
      classes: tiles
        ? [...TILE_CLASSES]
        : Object.keys(data.encoding).sort((a, b) => data.encoding[a]! - data.encoding[b]!),
      history,
    });
    opt.dispose();
    model.dispose();
  }
  if (!encoder) throw new Error(`pretraining ${backbone}: no encoder after ${stages.length} stage(s)`);
  const file = pretrainedFile(backbone, dir);
  const blobName = `${backbone.replace(/[:/]/g, '-')}.bin`;
  const blob = writeBlob(join(dir, blobName), blobName, encoder);
  const header: PretrainHeader = {
    schema: 'wslbench/pretrained-encoder@2',
    backbone,
    prefix,
    data: Object.entries(pretrainPoolSettings(poolPerClass)).map(
      ([d, synth]) => `${d} train (${JSON.stringify(synth)})`,
    ),
    optimizer: { name: 'adam', batchSize },
    seed,
    stages: records,
    blob,
    createdAt: new Date().toISOString(),
  };
  writeJsonAtomic(file, header);
  return file;
}

/** The pure tiles of a pool batch, as a batch of their own; the pool batch is released. */
function tilesOf(batch: Batch, table: TissueTable, rng?: Rng): Batch {
  const tiles = cutTissueTiles(batch, table, rng);
  disposeBatch(batch);
  return tiles;
}

/**
 * Classification accuracy (%) on the train split at eval geometry: of the images, or (with a tissue table) of all their
 * pure tiles.
 */
async function trainAccuracy(
  model: ReturnType<typeof cam.build>,
  data: DatasetSource,
  batchSize: number,
  table?: TissueTable,
): Promise<number> {
  let hit = 0;
  let n = 0;
  for await (const b of data.batches('train', { batchSize, mode: 'eval', input: INPUT, withMasks: !!table })) {
    const step = table ? tilesOf(b, table) : b;
    if (step.labels.shape[0] > 0) {
      const pred = tf.tidy(() => tf.argMax(cam.classify(model, step.images), 1).dataSync());
      const lab = step.labels.dataSync();
      for (let i = 0; i < lab.length; i++) hit += pred[i] === lab[i] ? 1 : 0;
      n += lab.length;
    }
    disposeBatch(step);
  }
  return (100 * hit) / n;
}
