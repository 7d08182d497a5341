import * as tf from '@tensorflow/tfjs-core';
import type { Param, WeightSnapshot } from '@wslbench/core';
import type { GroupLrs } from './schedule.js';

export interface SgdOptions {
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * SGD with PyTorch's semantics (dampening 0), one momentum buffer per parameter, keyed by parameter name:
 *   g = grad + wd * p;  buf = g (first step) | m * buf + g;  nesterov: g = g + m * buf, else g = buf;  p -= lr * g.
 * Parameters without a gradient in a step are skipped entirely (PyTorch skips p.grad = None), weight decay included.
 */
export class NesterovSgd {
  private readonly buffers = new Map<string, tf.Variable>();
  private readonly byName: Map<string, Param>;

  constructor(
    params: readonly Param[],
    private readonly opts: SgdOptions,
  ) {
    this.byName = new Map(params.map((p) => [p.name, p]));
    if (opts.nesterov && opts.momentum <= 0) throw new Error('SGD: Nesterov momentum requires momentum > 0');
  }

  /** Apply one update. `grads` maps parameter names to gradients (the caller disposes them). */
  step(grads: ReadonlyMap<string, tf.Tensor>, lrs: GroupLrs): void {
    const { momentum: m, nesterov, weightDecay: wd } = this.opts;
    for (const [name, grad] of grads) {
      const p = this.byName.get(name);
      if (!p) throw new Error(`SGD: gradient for unknown or non-trainable parameter '${name}'`);
      const lr = lrs[p.group];
      tf.tidy(() => {
        let g: tf.Tensor = wd !== 0 ? tf.add(grad, tf.mul(p.variable, wd)) : grad;
        if (m !== 0) {
          const buf = this.buffers.get(name);
          let next: tf.Tensor;
          if (buf) {
            next = tf.add(tf.mul(buf, m), g);
            buf.assign(next);
          } else {
            next = g;
            this.buffers.set(name, tf.variable(g.clone(), false));
          }
          g = nesterov ? tf.add(g, tf.mul(next, m)) : next;
        }
        p.variable.assign(tf.sub(p.variable, tf.mul(g, lr)));
      });
    }
  }

  /** Momentum buffers (for checkpoints). Parameters that never got a gradient have none. */
  state(): WeightSnapshot {
    const out: WeightSnapshot = {};
    for (const [name, v] of this.buffers)
      out[name] = { shape: v.shape.slice(), data: v.dataSync().slice() as Float32Array };
    return out;
  }

  loadState(state: WeightSnapshot): void {
    this.disposeBuffers();
    for (const [name, s] of Object.entries(state)) {
      const p = this.byName.get(name);
      if (!p) throw new Error(`SGD.loadState: momentum buffer for unknown or non-trainable parameter '${name}'`);
      if (s.shape.join('x') !== p.variable.shape.join('x')) {
        throw new Error(`SGD.loadState: buffer '${name}' has shape [${s.shape}], parameter has [${p.variable.shape}]`);
      }
      const initial = tf.tensor(s.data, s.shape, 'float32');
      this.buffers.set(name, tf.variable(initial, false));
      initial.dispose();
    }
  }

  dispose(): void {
    this.disposeBuffers();
  }

  private disposeBuffers(): void {
    for (const v of this.buffers.values()) v.dispose();
    this.buffers.clear();
  }
}
