import type { DatasetSource, SplitName } from '@wslbench/core';

/**
 * Foreground fraction of a split's masks at eval size: P / (P + N) over all non-ignored pixels, pooled over images.
 * This is the PxAP (as a fraction) of a constant score map, the chance level of the metric.
 */
export async function foregroundFraction(source: DatasetSource, split: SplitName, evalSize: number): Promise<number> {
  let pos = 0;
  let all = 0;
  for await (const b of source.batches(split, {
    batchSize: 16,
    mode: 'eval',
    input: { resize: evalSize, crop: evalSize, eval: evalSize },
    withMasks: true,
  })) {
    const m = b.masks!.dataSync();
    for (let i = 0; i < m.length; i++) {
      if (m[i] === 1) pos++;
      if (m[i] !== 255) all++;
    }
    b.images.dispose();
    b.labels.dispose();
    b.masks!.dispose();
  }
  if (all === 0) throw new Error(`${source.id}/${split}: no mask pixels`);
  return pos / all;
}

/** PxAP (0-100) of a constant map on a split: 100 x foreground fraction. */
export async function constantMapPxap(source: DatasetSource, split: SplitName, evalSize: number): Promise<number> {
  return 100 * (await foregroundFraction(source, split, evalSize));
}
