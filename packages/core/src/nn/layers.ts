import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../seeds.js';
import type { Initializer } from './init.js';
import type { ParamGroup, ParamStore } from './params.js';

/** Per-call forward state: training mode and the seeded stream for dropout and other stochastic layers. */
export interface ForwardContext {
  training: boolean;
  /** Needed when training with dropout / stochastic layers. */
  rng?: Rng;
  /**
   * Optional hook called at named insertion points of a backbone (e.g. ADL after given blocks);
   * returns the (possibly modified) activation. Unknown points must pass the tensor through.
   */
  insert?: (point: string, x: tf.Tensor4D) => tf.Tensor4D;
  /** Called with named intermediate activations (e.g. the CAM layer) for gradient methods and side heads. */
  tap?: (name: string, x: tf.Tensor4D) => tf.Tensor4D;
}

export type Padding = 'same' | 'valid' | number | [[number, number], [number, number]];

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernel: number | [number, number];
  stride?: number;
  padding?: Padding;
  dilation?: number;
  bias?: boolean;
  group?: ParamGroup;
  init?: Initializer;
  biasInit?: Initializer;
}

/** A conv layer (NHWC, HWIO kernel). Integer padding = symmetric explicit padding, as in PyTorch. */
export class Conv2d {
  readonly kernel: tf.Variable;
  readonly bias?: tf.Variable;
  constructor(
    store: ParamStore,
    readonly name: string,
    readonly opts: Conv2dOptions,
  ) {
    const [kh, kw] = typeof opts.kernel === 'number' ? [opts.kernel, opts.kernel] : opts.kernel;
    const group = opts.group ?? 'base';
    this.kernel = store.add(
      `${name}.kernel`,
      [kh, kw, opts.inChannels, opts.outChannels],
      opts.init ?? { kind: 'kaimingNormalFanOut' },
      group,
    );
    if (opts.bias ?? true)
      this.bias = store.add(`${name}.bias`, [opts.outChannels], opts.biasInit ?? { kind: 'zeros' }, group);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const p = this.opts.padding ?? 'same';
    const pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] =
      typeof p === 'number'
        ? [
            [0, 0],
            [p, p],
            [p, p],
            [0, 0],
          ]
        : Array.isArray(p)
          ? [[0, 0], p[0], p[1], [0, 0]]
          : p;
    const d = this.opts.dilation ?? 1;
    let y = tf.conv2d(x, this.kernel as tf.Tensor4D, this.opts.stride ?? 1, pad, 'NHWC', [d, d]);
    if (this.bias) y = tf.add(y, this.bias);
    return y;
  }
}

export interface BatchNormOptions {
  channels: number;
  /** PyTorch 1e-5; Keras ResNet50 1.001e-5; Keras InceptionV3 1e-3. */
  epsilon?: number;
  /** Weight of the new batch statistic in the running average (PyTorch momentum = 0.1). */
  momentum?: number;
  group?: ParamGroup;
  /** Keras InceptionV3 has no gamma (scale=False). */
  scale?: boolean;
}

/**
 * Batch normalisation with running statistics. Training: batch statistics, running stats updated with the
 * unbiased batch variance (PyTorch). Inference, or `frozen`: running statistics.
 */
export class BatchNorm {
  readonly gamma?: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVar: tf.Variable;
  /** Frozen: always use running statistics and never update them (NEGEV's frozen classifier). */
  frozen = false;
  constructor(
    store: ParamStore,
    readonly name: string,
    readonly opts: BatchNormOptions,
  ) {
    const group = opts.group ?? 'base';
    const c = opts.channels;
    if (opts.scale ?? true) this.gamma = store.add(`${name}.gamma`, [c], { kind: 'ones' }, group);
    this.beta = store.add(`${name}.beta`, [c], { kind: 'zeros' }, group);
    this.movingMean = store.add(`${name}.moving_mean`, [c], { kind: 'zeros' }, group, false);
    this.movingVar = store.add(`${name}.moving_var`, [c], { kind: 'ones' }, group, false);
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const eps = this.opts.epsilon ?? 1e-5;
    // scale=False: pass explicit ones, since the batchNorm gradient fails on an absent scale (TF.js 4.22).
    const gamma = this.gamma ?? tf.onesLike(this.beta);
    if (!ctx.training || this.frozen) {
      return tf.batchNorm(x, this.movingMean, this.movingVar, this.beta, gamma, eps) as tf.Tensor4D;
    }
    if (fusedTrainingBatchNorm()) return this.applyFused(x, gamma, eps);
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    this.updateRunningStats(mean, variance, x);
    return tf.batchNorm(x, mean, variance, this.beta, gamma, eps) as tf.Tensor4D;
  }

  /** The running-stat update does not lead to the loss, so the gradient tape prunes it. */
  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, x: tf.Tensor4D): void {
    const m = this.opts.momentum ?? 0.1;
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    tf.tidy(() => {
      const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
      this.movingMean.assign(tf.add(tf.mul(this.movingMean, 1 - m), tf.mul(mean, m)));
      this.movingVar.assign(tf.add(tf.mul(this.movingVar, 1 - m), tf.mul(unbiased, m)));
    });
  }

  /**
   * The same batch norm through a backend's fused training kernels (torch: ATen's native_batch_norm and its
   * backward, one pass each way instead of ~20 elementwise kernels); same formulas, float rounding aside.
   */
  private applyFused(x: tf.Tensor4D, gamma: tf.Tensor, eps: number): tf.Tensor4D {
    const attrs = { varianceEpsilon: eps };
    const stats: tf.Tensor[] = [];
    const forward = (xi: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, save: tf.GradSaveFunc) => {
      const [y, mean, variance, invstd] = tf
        .engine()
        .runKernel(BN_TRAIN, { x: xi, scale, offset }, attrs) as unknown as tf.Tensor[];
      save([xi, scale, mean!, invstd!]);
      // customGrad disposes what its forward made besides the value and the saved tensors: keep the batch stats
      // for the running-stat update (disposed right after it).
      stats.push(tf.keep(mean!), tf.keep(variance!));
      return {
        value: y!,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [sx, sscale, smean, sinvstd] = saved;
          return tf
            .engine()
            .runKernel(
              BN_TRAIN_GRAD,
              { dy: dy as tf.Tensor, x: sx!, scale: sscale!, mean: smean!, invstd: sinvstd! },
              attrs,
            ) as unknown as tf.Tensor[];
        },
      };
    };
    const f = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
    const y = f(x, gamma, this.beta) as tf.Tensor4D;
    this.updateRunningStats(stats[0]!, stats[1]!, x);
    tf.dispose(stats);
    return y;
  }
}

const BN_TRAIN = 'TorchBatchNormTrain';
const BN_TRAIN_GRAD = 'TorchBatchNormTrainGrad';
/** Whether the active backend has fused training batch-norm kernels (the torch backend does). */
function fusedTrainingBatchNorm(): boolean {
  const backend = tf.getBackend();
  return (
    !!backend && tf.getKernel(BN_TRAIN, backend) !== undefined && tf.getKernel(BN_TRAIN_GRAD, backend) !== undefined
  );
}

export interface DenseOptions {
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
  group?: ParamGroup;
  init?: Initializer;
}

/** Fully connected layer, kernel [in, out]. */
export class Dense {
  readonly kernel: tf.Variable;
  readonly bias?: tf.Variable;
  constructor(
    store: ParamStore,
    readonly name: string,
    readonly opts: DenseOptions,
  ) {
    const group = opts.group ?? 'head';
    this.kernel = store.add(
      `${name}.kernel`,
      [opts.inFeatures, opts.outFeatures],
      opts.init ?? { kind: 'xavierUniform' },
      group,
    );
    if (opts.bias ?? true) this.bias = store.add(`${name}.bias`, [opts.outFeatures], { kind: 'zeros' }, group);
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    const y = tf.matMul(x, this.kernel as tf.Tensor2D) as tf.Tensor2D;
    return this.bias ? tf.add<tf.Tensor2D>(y, this.bias) : y;
  }
}

/** Inverted dropout with a seed from the forward context's stream; identity at inference. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, ctx: ForwardContext): T {
  if (!ctx.training || rate <= 0) return x;
  if (!ctx.rng) throw new Error('dropout in training needs ForwardContext.rng (a seeded stream)');
  return tf.dropout(x, rate, undefined, ctx.rng.int32()) as T;
}
