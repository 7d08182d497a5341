import { type Rng, shuffled } from '@wslbench/core';
import type { SplitRow } from './splits.js';

/**
 * Few-shot pixel-selection subset: k images per class drawn from valcl with a seeded stream (used only when a dataset
 * ships no valpx split; the official folds freeze theirs). Rows keep valcl order.
 */
export function drawFewShot(valcl: readonly SplitRow[], k: number, numClasses: number, rng: Rng): SplitRow[] {
  const picked = new Set<string>();
  for (let c = 0; c < numClasses; c++) {
    const pool = valcl.filter((r) => r.label === c);
    if (pool.length < k)
      throw new Error(`valcl has ${pool.length} image(s) of class ${c}, fewer than the ${k} needed for valpx`);
    for (const r of shuffled(pool, rng).slice(0, k)) picked.add(r.id);
  }
  return valcl.filter((r) => picked.has(r.id));
}
