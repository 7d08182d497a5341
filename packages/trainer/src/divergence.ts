import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '@wslbench/core';

/** Default bound on the training loss: this many times the first step's loss (at least 1). */
export const DEFAULT_LOSS_FACTOR = 1e4;

/** A run that diverged: it ends with a failed record naming where and what (no stack dump). */
export class RunDiverged extends Error {
  constructor(
    reason: string,
    readonly epoch: number,
    readonly step: number,
  ) {
    super(reason);
    this.name = 'RunDiverged';
  }
}

/**
 * Stops a run whose loss is not finite or exceeds `factor` x max(first step's loss, 1): a loss that only grows
 * (lr 1000 drives CE to 1e28) is a failure, not a run whose untrained epoch-0 checkpoint gets reported. The floor of
 * 1 keeps a near-zero first loss from making the bound meaninglessly tight.
 */
export class DivergenceGuard {
  constructor(
    private readonly factor: number,
    /** The first step's loss; null until the first step (kept in the checkpoint so a resume keeps the same bound). */
    public firstLoss: number | null,
  ) {}

  get bound(): number | null {
    return this.firstLoss === null ? null : this.factor * Math.max(Math.abs(this.firstLoss), 1);
  }

  check(loss: number, epoch: number, step: number): void {
    if (!Number.isFinite(loss))
      throw new RunDiverged(`non-finite training loss (${loss}) at epoch ${epoch}, step ${step}`, epoch, step);
    this.firstLoss ??= loss;
    const bound = this.bound!;
    if (loss > bound)
      throw new RunDiverged(
        `training loss diverged: ${loss.toExponential(3)} at epoch ${epoch}, step ${step} exceeds ` +
          `${bound.toExponential(3)} (${this.factor} x max(first step's loss ${this.firstLoss.toPrecision(4)}, 1))`,
        epoch,
        step,
      );
  }

  /** Every variable (batch-norm statistics included) must stay finite; checked once per epoch, one read-back. */
  checkWeights(params: ParamStore, epoch: number, step: number): void {
    const all = params.all();
    if (!all.length) return;
    const bad = tf.tidy(() =>
      tf.stack(all.map((p) => tf.cast(tf.any(tf.logicalNot(tf.isFinite(p.variable))), 'float32'))),
    );
    const flags = bad.dataSync();
    bad.dispose();
    const i = flags.findIndex((f) => f !== 0);
    if (i >= 0)
      throw new RunDiverged(`non-finite weights in '${all[i]!.name}' after epoch ${epoch} (step ${step})`, epoch, step);
  }
}

/**
 * A native engine's out-of-memory error (the torch addon tags libtorch's with code WSLBENCH_TORCH_OOM; its message
 * names the size asked, e.g. "Tried to allocate 2.00 GiB"), as a failure the run records instead of crashing.
 */
export function outOfMemoryFailure(
  e: unknown,
  epoch: number,
  config: { backbone: string; optimizer: { batchSize: number }; input: { crop: number } },
): RunDiverged | null {
  const err = e as { code?: unknown; message?: unknown };
  if (err?.code !== 'WSLBENCH_TORCH_OOM') return null;
  const message = String(err.message ?? '')
    .split('\n')[0]!
    .trim();
  return new RunDiverged(
    `out of device memory at epoch ${epoch} (batch ${config.optimizer.batchSize}, ${config.input.crop} px, ${config.backbone}): ${message}; lower --batch-size or --input-size`,
    epoch,
    -1,
  );
}
