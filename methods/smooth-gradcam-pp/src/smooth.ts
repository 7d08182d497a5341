import * as tf from '@tensorflow/tfjs-core';
import {
  type ActivationsAndGradients,
  activationsAndGradients,
  checkSameShape,
  spatialSum,
} from '@wslbench/gradient-cam';
import { type WgapModel, weightedChannelSum } from '@wslbench/heads';

/** torchcam's epsilon in the α denominator (reference mode only; the paper form has none, see README). */
export const SMOOTH_ALPHA_EPS = 1e-8;

export interface SmoothInputs {
  /** Activations of the clean (noise-free) forward, [N, h, w, K]. */
  activations: tf.Tensor4D;
  /** Per noisy pass s: activations and class-logit gradients at the target layer. */
  noisyActivations: tf.Tensor4D[];
  noisyGradients: tf.Tensor4D[];
}

export interface SmoothOptions {
  /** torchcam/NEGEV: weights from the last noisy pass's gradient and map from its activations (see README). */
  referenceLastNoisyPass?: boolean;
}

/** What the map needs from the noisy passes: the means of g, g², g³ and the last pass itself. */
export interface GradientMoments {
  mean1: tf.Tensor4D;
  mean2: tf.Tensor4D;
  mean3: tf.Tensor4D;
  last: ActivationsAndGradients;
}

/**
 * Smooth Grad-CAM++ from derivative moments.
 * Default (Omeiza et al.): α = ḡ² / (2ḡ² + (Σ_ab A_k(a,b))·ḡ³) where ḡ² > 0, else 0; w_k = Σ_ij α·ReLU(ḡ),
 * map = ReLU(Σ_k w_k A_k), with A the clean activations and ḡ^p the mean over the noisy passes of g^p.
 * referenceLastNoisyPass (torchcam SmoothGradCAMpp): α = ḡ² / (2ḡ² + Σ_ab[A_k(a,b)·ḡ³(a,b)] + 1e-8),
 * w_k = Σ_ij α·ReLU(g_last), map = ReLU(Σ_k w_k A_last,k).
 */
export function mapFromMoments(
  activations: tf.Tensor4D,
  { mean1, mean2, mean3, last }: GradientMoments,
  { referenceLastNoisyPass = false }: SmoothOptions = {},
): tf.Tensor3D {
  return tf.tidy(() => {
    const twoMean2 = tf.mul(mean2, 2);
    if (referenceLastNoisyPass) {
      const alpha = tf.div(mean2, tf.add(tf.add(twoMean2, spatialSum(tf.mul(activations, mean3))), SMOOTH_ALPHA_EPS));
      const weights = tf.sum(tf.mul(alpha, tf.relu(last.gradients)), [1, 2]) as tf.Tensor2D;
      return tf.relu(weightedChannelSum(weights, last.activations));
    }
    const denominator = tf.add(twoMean2, tf.mul(spatialSum(activations), mean3));
    const alpha = tf.where(tf.greater(mean2, 0), tf.div(mean2, denominator), tf.zerosLike(mean2));
    const weights = tf.sum(tf.mul(alpha, tf.relu(mean1)), [1, 2]) as tf.Tensor2D;
    return tf.relu(weightedChannelSum(weights, activations));
  });
}

/** The hook: clean activations plus the lists of noisy activations and gradients -> raw map [N, h, w]. */
export function mapFromActivations(
  { activations, noisyActivations, noisyGradients }: SmoothInputs,
  options: SmoothOptions = {},
): tf.Tensor3D {
  const n = noisyGradients.length;
  if (n < 1 || noisyActivations.length !== n) {
    throw new Error(
      `Smooth-GradCAM++: need at least one noisy pass with activations and gradients (got ${noisyActivations.length} and ${n})`,
    );
  }
  noisyGradients.forEach((g, s) => {
    checkSameShape(`Smooth-GradCAM++ pass ${s}`, noisyActivations[s]!, g);
    checkSameShape(`Smooth-GradCAM++ pass ${s} vs clean`, activations, g);
  });
  return tf.tidy(() => {
    const mean = (p: number) => tf.div(tf.addN(noisyGradients.map((g) => tf.pow(g, p))), n) as tf.Tensor4D;
    const last = { activations: noisyActivations[n - 1]!, gradients: noisyGradients[n - 1]! };
    return mapFromMoments(activations, { mean1: mean(1), mean2: mean(2), mean3: mean(3), last }, options);
  });
}

/**
 * Raw maps of a WGAP model: a clean forward, then `numSamples` noisy passes (forward + one batched backward each)
 * whose moments are accumulated as they come, so that memory stays at one pass. `noiseFor(s)` gives the noise
 * added to the (normalised) images in pass s.
 */
export function smoothRawMaps(
  model: WgapModel,
  images: tf.Tensor4D,
  classes: readonly number[],
  numSamples: number,
  noiseFor: (pass: number) => tf.Tensor4D,
  options: SmoothOptions = {},
): tf.Tensor3D {
  if (!Number.isInteger(numSamples) || numSamples < 1) {
    throw new Error(`Smooth-GradCAM++: numSamples must be a positive integer, got ${numSamples}`);
  }
  return tf.tidy(() => {
    const clean = model.backbone.forward(images, { training: false }).features;
    let sums: tf.Tensor4D[] = [];
    let last: ActivationsAndGradients | undefined;
    for (let s = 0; s < numSamples; s++) {
      const pass = tf.tidy(() => activationsAndGradients(model, tf.add(images, noiseFor(s)) as tf.Tensor4D, classes));
      const next = tf.tidy(() => {
        const g = pass.gradients;
        const g2 = tf.square(g);
        const powers = [g, g2, tf.mul(g2, g)] as tf.Tensor4D[];
        return sums.length ? powers.map((p, i) => tf.add(sums[i]!, p) as tf.Tensor4D) : powers.map((p) => p.clone());
      });
      tf.dispose(sums);
      sums = next;
      if (last) tf.dispose([last.activations, last.gradients]);
      last = pass;
    }
    const [mean1, mean2, mean3] = sums.map((t) => tf.div(t, numSamples) as tf.Tensor4D) as [
      tf.Tensor4D,
      tf.Tensor4D,
      tf.Tensor4D,
    ];
    return mapFromMoments(clean, { mean1, mean2, mean3, last: last! }, options);
  });
}
