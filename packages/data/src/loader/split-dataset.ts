import * as tf from '@tensorflow/tfjs-core';
import {
  type Batch,
  type BatchOptions,
  type ClassEncoding,
  type DatasetSource,
  type SplitName,
  shuffled,
} from '@wslbench/core';
import type { FoldSplits, SplitRow } from '../splits.js';
import {
  applyEval,
  applyTrain,
  drawTrain,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type Normalisation,
  type TransformedSample,
} from '../transforms/protocol.js';
import { SampleCache } from './sample-cache.js';

export interface LoaderStats {
  batches: number;
  /** Decoding + square resize on cache misses (ms). */
  decodeMs: number;
  /** Crops, flips, jitter, normalisation (ms). */
  transformMs: number;
  /** Time the consumer waited for a batch that was not ready yet (ms). */
  waitMs: number;
  cacheHits: number;
  cacheMisses: number;
  cacheBytes: number;
}

export interface SplitDatasetInit {
  id: string;
  /** Folder the ids and mask paths are relative to. */
  root: string;
  encoding: ClassEncoding;
  splits: FoldSplits;
  /** Memory budget of the decoded-sample cache (bytes, default 1 GiB). */
  cacheBytes?: number;
  /** Samples decoded concurrently when preparing a batch (default 8). */
  concurrency?: number;
}

interface HostBatch {
  samples: TransformedSample[];
  rows: SplitRow[];
  size: number;
}

/** A dataset given by split files: the DatasetSource the trainer consumes, with a decode cache and prefetching. */
export class SplitDataset implements DatasetSource {
  readonly id: string;
  readonly root: string;
  readonly encoding: ClassEncoding;
  readonly numClasses: number;
  readonly hasFullyNegative: boolean;
  private readonly splits: FoldSplits;
  private readonly cache: SampleCache;
  private readonly concurrency: number;
  private readonly timing = { batches: 0, transformMs: 0, waitMs: 0 };

  constructor(init: SplitDatasetInit) {
    this.id = init.id;
    this.root = init.root;
    this.encoding = init.encoding;
    this.numClasses = Object.keys(init.encoding).length;
    this.splits = init.splits;
    this.cache = new SampleCache(init.root, init.cacheBytes);
    this.concurrency = init.concurrency ?? 8;
    this.hasFullyNegative = Object.values(init.splits).some((rows) => rows.some((r) => r.masks?.length === 0));
  }

  size(split: SplitName): number {
    return this.splits[split]?.length ?? 0;
  }

  /** The rows of a split (error if the fold has no such split). */
  rows(split: SplitName): readonly SplitRow[] {
    const rows = this.splits[split];
    if (!rows) throw new Error(`${this.id}: the fold has no '${split}' split`);
    return rows;
  }

  hasMasks(split: SplitName): boolean {
    return this.rows(split).every((r) => r.masks !== undefined);
  }

  stats(): LoaderStats {
    const c = this.cache.stats;
    return {
      ...this.timing,
      decodeMs: c.decodeMs,
      cacheHits: c.hits,
      cacheMisses: c.misses,
      cacheBytes: c.bytes,
    };
  }

  /** Decode and cache a whole split ahead of training (optional; batches() fills the cache lazily). */
  async preload(split: SplitName, size: number, withMasks: boolean): Promise<void> {
    await this.mapLimited(this.rows(split), (r) => this.cache.get(r, size, withMasks));
  }

  async *batches(split: SplitName, opts: BatchOptions): AsyncGenerator<Batch> {
    const rows = this.rows(split);
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1)
      throw new Error(`batchSize must be a positive integer, got ${opts.batchSize}`);
    const norm: Normalisation = { mean: opts.mean ?? IMAGENET_MEAN, std: opts.std ?? IMAGENET_STD };
    const train = opts.mode === 'train';
    if (train && !opts.rng) throw new Error('batches(train): a seeded rng is required');
    const withMasks = opts.withMasks ?? (!train && this.hasMasks(split));
    const order = train ? shuffled(rows, opts.rng!) : rows.slice();
    const groups: SplitRow[][] = [];
    for (let i = 0; i < order.length; i += opts.batchSize) groups.push(order.slice(i, i + opts.batchSize));

    const prepare = async (group: SplitRow[]): Promise<HostBatch> => {
      if (train) {
        // All random draws happen synchronously here, in sample order: the stream is consumed deterministically.
        const { resize, crop } = opts.input;
        const draws = group.map(() => drawTrain(opts.rng!, resize, crop));
        const squares = await this.mapLimited(group, (r) => this.cache.get(r, resize, withMasks));
        const t0 = performance.now();
        const samples = squares.map((s, i) => applyTrain(s, crop, draws[i]!, norm));
        this.timing.transformMs += performance.now() - t0;
        // Last partial batch: repeat its own (augmented) samples cyclically, as the reference's _fill_minibatch.
        const filledRows = group.slice();
        for (let i = group.length; i < opts.batchSize; i++) {
          samples.push(samples[i % group.length]!);
          filledRows.push(group[i % group.length]!);
        }
        return { samples, rows: filledRows, size: crop };
      }
      const size = opts.input.eval;
      const squares = await this.mapLimited(group, (r) => this.cache.get(r, size, withMasks));
      const t0 = performance.now();
      const samples = squares.map((s) => applyEval(s, norm));
      this.timing.transformMs += performance.now() - t0;
      return { samples, rows: group, size };
    };

    let next: Promise<HostBatch> | undefined = groups.length > 0 ? prepare(groups[0]!) : undefined;
    for (let b = 0; b < groups.length; b++) {
      const t0 = performance.now();
      const host = await next!;
      this.timing.waitMs += performance.now() - t0;
      // Prefetch: start decoding the next batch before handing this one over.
      next = b + 1 < groups.length ? prepare(groups[b + 1]!) : undefined;
      next?.catch(() => {}); // surfaced when awaited
      this.timing.batches++;
      yield this.toTensors(host, withMasks);
    }
  }

  private toTensors(h: HostBatch, withMasks: boolean): Batch {
    const n = h.samples.length;
    const px = h.size * h.size;
    const images = new Float32Array(n * px * 3);
    const labels = new Int32Array(n);
    const masks = withMasks ? new Int32Array(n * px) : undefined;
    h.samples.forEach((s, i) => {
      images.set(s.image, i * px * 3);
      labels[i] = h.rows[i]!.label;
      if (masks) masks.set(s.mask!, i * px);
    });
    return {
      images: tf.tensor4d(images, [n, h.size, h.size, 3]),
      labels: tf.tensor1d(labels, 'int32'),
      masks: masks ? tf.tensor3d(masks, [n, h.size, h.size], 'int32') : undefined,
      fullyNegative: h.rows.map((r) => r.masks !== undefined && r.masks.length === 0),
      ids: h.rows.map((r) => r.id),
    };
  }

  private async mapLimited<T, R>(items: readonly T[], f: (t: T) => Promise<R>): Promise<R[]> {
    const out = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
    return out;
  }
}
