/**
 * Feeds batches of score-map tensors into a PxAP accumulator: reads each [N, H, W] batch once, hands the pixels and
 * masks to PxapAccumulator and disposes the tensor (the caller gives up ownership).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { PxapAccumulator, type PxapOptions, type PxapResult } from './pxap.js';

export class MapEvaluator {
  readonly accumulator: PxapAccumulator;

  constructor(options: PxapOptions = {}) {
    this.accumulator = new PxapAccumulator(options);
  }

  /**
   * Accumulates a batch of maps already at mask resolution ([N, H, W] or [N, H, W, 1], values in [0, 1]) with one
   * mask per map (H*W values, row-major). `ids` name the images in error messages. Disposes `maps`, also on error.
   */
  async accumulate(maps: tf.Tensor, masks: ArrayLike<number>[], ids?: string[]): Promise<void> {
    try {
      const shape = maps.shape;
      const ok = shape.length === 3 || (shape.length === 4 && shape[3] === 1);
      if (!ok) throw new RangeError(`MapEvaluator: maps must be [N, H, W] or [N, H, W, 1], got [${shape.join(', ')}]`);
      const [n, h, w] = shape as [number, number, number];
      if (masks.length !== n) throw new RangeError(`MapEvaluator: ${n} maps but ${masks.length} masks`);
      if (ids && ids.length !== n) throw new RangeError(`MapEvaluator: ${n} maps but ${ids.length} ids`);
      const data = (await maps.data()) as Float32Array;
      const size = h * w;
      for (let i = 0; i < n; i++) {
        const label = ids?.[i] ?? `map ${this.accumulator.numImages}`;
        if (masks[i]!.length !== size) {
          throw new RangeError(`${label}: mask has ${masks[i]!.length} values, expected ${h}x${w} = ${size}`);
        }
        this.accumulator.accumulate(data.subarray(i * size, (i + 1) * size), masks[i]!, label);
      }
    } finally {
      maps.dispose();
    }
  }

  compute(): PxapResult {
    return this.accumulator.compute();
  }
}
