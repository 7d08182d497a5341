import * as tf from '@tensorflow/tfjs-core';
import {
  type Batch,
  type BatchOptions,
  type ClassEncoding,
  type DatasetSource,
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
    const seeds = this.sources.map(() => (opts.rng ? opts.rng.int32() : 0));
    const iterators = this.sources.map((s, i) =>
      s
        .batches(split, { ...opts, ...(opts.rng ? { rng: rngStream(seeds[i]!, 'merged', i) } : {}) })
        [Symbol.asyncIterator](),
    );
    const live = iterators.map(() => true);
    while (live.some(Boolean)) {
      for (let i = 0; i < iterators.length; i++) {
        if (!live[i]) continue;
        const r = await iterators[i]!.next();
        if (r.done) {
          live[i] = false;
          continue;
        }
        const b = r.value;
        const offset = this.offsets[i]!;
        if (offset === 0) {
          yield b;
          continue;
        }
        const labels = tf.tidy(() => tf.add(b.labels, tf.scalar(offset, 'int32')) as tf.Tensor1D);
        b.labels.dispose();
        yield { ...b, labels };
      }
    }
  }
}
