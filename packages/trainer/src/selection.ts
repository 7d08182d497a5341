import type { SelectionEntry } from '@wslbench/core';
import type { CheckpointName } from './checkpoint.js';

/** The selection score each kept checkpoint maximises: few-shot PxAP on valpx, accuracy on valcl. */
export const SELECTION_SCORE = {
  best_localization: 'pxap',
  best_classification: 'clAccuracy',
} as const satisfies Record<CheckpointName, keyof SelectionEntry>;

/**
 * The epoch a kept checkpoint holds after the evaluations in `history` (in epoch order): the highest score among
 * epochs >= fromEpoch, ties -> the latest epoch (NEGEV's PerformanceMeter; wsolevaluation keeps the earliest).
 * null when no evaluated epoch is eligible yet.
 */
export function selectedEpoch(
  history: readonly SelectionEntry[],
  which: CheckpointName,
  fromEpoch: number,
): number | null {
  const key = SELECTION_SCORE[which];
  let best: SelectionEntry | null = null;
  for (const e of history) {
    if (e.epoch < fromEpoch) continue;
    if (!best || e[key] >= best[key]) best = e;
  }
  return best?.epoch ?? null;
}
