import * as tf from '@tensorflow/tfjs-core';
import {
  type Batch,
  type BatchOptions,
  type ClassEncoding,
  type DatasetSource,
  disposeBatch,
  rngStream,
  type SplitName,
} from '@wslbench/core';

/**
 * Several datasets as one, with disjoint class ids (the second dataset's classes follow the first's): used to
 * pretrain each CPU backbone once on all synthetic tissue. Batches alternate between the sources; each source gets
 * its own stream derived from the caller's, so the order of draws does not depend on prefetch timing.
 */
export class MergedDataset implements DatasetSource {
  readonly encoding: ClassEncoding = {};
  readonly numClasses: number;
  readonly hasFullyNegative: boolean;
  private readonly offsets: number[] = [];

  constructor(
    readonly id: string,
    private readonly sources: readonly DatasetSource[],
  ) {
    let offset = 0;
    for (const s of sources) {
      this.offsets.push(offset);
      for (const [name, k] of Object.entries(s.encoding)) this.encoding[`${s.id}:${name}`] = k + offset;
      offset += s.numClasses;
    }
    this.numClasses = offset;
    this.hasFullyNegative = sources.some((s) => s.hasFullyNegative);
  }

  size(split: SplitName): number {
    return this.sources.reduce((n, s) => n + s.size(split), 0);
  }

  async *batches(split: SplitName, opts: BatchOptions): AsyncIterable<Batch> {
    // Training batches mix the sources (batch norm must not see one dataset per batch: it would normalise the
    // dataset identity away); evaluation passes go source by source.
    const k = this.sources.length;
    const mixed = opts.mode === 'train';
    const per = mixed ? Math.max(1, Math.floor(opts.batchSize / k)) : opts.batchSize;
    const seeds = this.sources.map(() => (opts.rng ? opts.rng.int32() : 0));
    const iterators = this.sources.map((s, i) =>
      s
        .batches(split, { ...opts, batchSize: per, ...(opts.rng ? { rng: rngStream(seeds[i]!, 'merged', i) } : {}) })
        [Symbol.asyncIterator](),
    );
    if (!mixed) {
      for (let i = 0; i < k; i++)
        for (let r = await iterators[i]!.next(); !r.done; r = await iterators[i]!.next())
          yield this.relabel(r.value, i);
      return;
    }
    // One epoch = until the largest source is exhausted; smaller ones restart (their own next epoch stream).
    const done = iterators.map(() => false);
    while (!done.every(Boolean)) {
      const parts: Batch[] = [];
      for (let i = 0; i < k; i++) {
        let r = await iterators[i]!.next();
        if (r.done) {
          done[i] = true;
          iterators[i] = this.sources[i]!.batches(split, {
            ...opts,
            batchSize: per,
            ...(opts.rng ? { rng: rngStream(seeds[i]!, 'merged', i, 'again') } : {}),
          })[Symbol.asyncIterator]();
          r = await iterators[i]!.next();
        }
        parts.push(this.relabel(r.value as Batch, i));
      }
      if (done.every(Boolean)) {
        for (const p of parts) disposeBatch(p);
        break;
      }
      yield concatBatches(parts);
    }
    for (const it of iterators) await it.return?.();
  }

  private relabel(b: Batch, source: number): Batch {
    const offset = this.offsets[source]!;
    if (offset === 0) return b;
    const labels = tf.tidy(() => tf.add(b.labels, tf.scalar(offset, 'int32')) as tf.Tensor1D);
    b.labels.dispose();
    return { ...b, labels };
  }
}

function concatBatches(parts: Batch[]): Batch {
  const out: Batch = {
    images: tf.concat(parts.map((p) => p.images)) as tf.Tensor4D,
    labels: tf.concat(parts.map((p) => p.labels)) as tf.Tensor1D,
    ...(parts.every((p) => p.masks) ? { masks: tf.concat(parts.map((p) => p.masks!)) as tf.Tensor3D } : {}),
    fullyNegative: parts.flatMap((p) => p.fullyNegative),
    ids: parts.flatMap((p) => p.ids),
  };
  for (const p of parts) disposeBatch(p);
  return out;
}
