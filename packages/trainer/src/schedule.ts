import type { OptimizerConfig } from '@wslbench/core';

export interface GroupLrs {
  base: number;
  head: number;
}

/**
 * Learning rates of training epoch `epoch` (1-based, as the selection history counts them; epoch 0 is the
 * evaluation before training). The reference's `mystep` scheduler is stepped once per epoch from a 0-based
 * counter, so the first training epoch uses the base lr: lr = max(lr * gamma^floor((epoch - 1) / stepSize), minLr).
 * The head group gets lr x headLrMultiplier; the floor applies to both groups' bases as the reference applies it
 * to each group's initial lr.
 */
export function lrForEpoch(opt: OptimizerConfig, epoch: number): GroupLrs {
  if (!Number.isInteger(epoch) || epoch < 1) throw new Error(`lrForEpoch: training epochs start at 1, got ${epoch}`);
  const decay = opt.gamma ** Math.floor((epoch - 1) / opt.stepSize);
  return {
    base: Math.max(opt.lr * decay, opt.minLr),
    head: Math.max(opt.lr * opt.headLrMultiplier * decay, opt.minLr),
  };
}
