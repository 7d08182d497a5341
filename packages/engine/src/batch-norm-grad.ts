import * as tf from '@tensorflow/tfjs-core';
import { type GradConfig, type NamedAttrMap, registerGradient } from '@tensorflow/tfjs-core';
import { avgPoolGradConfig, reluGradConfig, resizeBilinearGradConfig } from './exact-grads.js';

/**
 * Gradient of FusedBatchNorm (tf.batchNorm) with broadcasting and shared reductions. tfjs-core's version tiles
 * 1/sqrt(var+eps) to the full activation shape and reduces (x-mean)*dy once per input: on wasm, the Tile alone
 * took a third of a ResNet-style training step. Same formulas, any backend:
 *   r = rsqrt(var+eps), S1 = sum(dy), S2 = sum((x-mean)*dy) over all but the channel axis;
 *   dx = dy*scale*r, dmean = -scale*r*S1, dvar = -0.5*scale*r^3*S2, dscale = r*S2, doffset = S1.
 */
export const fusedBatchNormGradConfig: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const dy = dyIn as tf.Tensor;
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor) => (axes.length ? tf.reshape(tf.sum(t, axes), mean.shape) : t);
    const r = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
    const scaled = scale ? tf.mul(r, scale) : r;
    // Computed here, not memoised inside the closures: the tape runs each closure in its own tidy scope.
    const s1 = reduce(dy);
    const s2 = reduce(tf.mul(tf.sub(x, mean), dy));
    return {
      x: () => tf.mul(dy, scaled),
      mean: () => tf.neg(tf.mul(scaled, s1)),
      variance: () => tf.mul(tf.mul(tf.mul(scaled, tf.square(r)), tf.scalar(-0.5)), s2),
      scale: () => tf.mul(r, s2),
      offset: () => tf.clone(s1),
    };
  },
};

/** Gradient overrides the engine installs (for every backend: same maths, fewer full-size temporaries). */
export const engineGradients: readonly GradConfig[] = [
  fusedBatchNormGradConfig,
  avgPoolGradConfig,
  resizeBilinearGradConfig,
  reluGradConfig,
];

let installed = false;
export function registerEngineGradients(): void {
  if (installed) return;
  for (const g of engineGradients) registerGradient(g);
  installed = true;
}
