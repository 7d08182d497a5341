import * as tf from '@tensorflow/tfjs-core';
import { defineGradientMethod, gradientBaseShape } from '@wslbench/gradient-cam';
import { z } from 'zod';
import { smoothRawMaps } from './smooth.js';

export {
  type GradientMoments,
  mapFromActivations,
  mapFromMoments,
  SMOOTH_ALPHA_EPS,
  type SmoothInputs,
  type SmoothOptions,
  smoothRawMaps,
} from './smooth.js';

export const SmoothGradCamPlusPlusHyperparams = z
  .object({
    ...gradientBaseShape,
    /** Noisy copies per image (torchcam default, which NEGEV uses). */
    numSamples: z.number().int().min(1).default(4),
    /** Absolute std of the Gaussian noise added to the normalised input (torchcam default). */
    noiseStd: z.number().min(0).default(0.3),
    /** torchcam/NEGEV: last noisy pass's activations and gradient in the weights and the map. */
    referenceLastNoisyPass: z.boolean().default(false),
  })
  .strict();
export type SmoothGradCamPlusPlusHyperparams = z.infer<typeof SmoothGradCamPlusPlusHyperparams>;

export const method = defineGradientMethod<SmoothGradCamPlusPlusHyperparams>({
  id: 'smooth-gradcam-pp',
  title: 'Smooth-GradCAM',
  paperKey: 'Smooth-GradCAM (Omeiza et al., 2019)',
  summary: { trained: 'WGAP', map: 'n = 4, σ = 0.3, clean activations' },
  citation:
    'Omeiza, Speakman, Cintas, Weldemariam. Smooth Grad-CAM++: An Enhanced Inference Level Visualization Technique for Deep Convolutional Neural Network Models. arXiv:1908.01224, 2019.',
  hyperparams: SmoothGradCamPlusPlusHyperparams,
  referenceOptions: {
    referenceLastNoisyPass:
      "torchcam/NEGEV SmoothGradCAMpp: the activation hook stays on during the noisy passes, so the map uses the last noisy pass's activations, the weights ReLU(g) of the last noisy pass, and α's denominator Σ_ab[A·ḡ³] per channel.",
  },
  rawMaps(model, images, classes, ctx) {
    const { numSamples, noiseStd, referenceLastNoisyPass } = ctx.hp;
    // One noise tensor per pass for the whole batch, seeded from the run's stream (as torchcam draws per pass).
    const noiseFor = () => tf.randomNormal(images.shape, 0, noiseStd, 'float32', ctx.rng.int32()) as tf.Tensor4D;
    return smoothRawMaps(model, images, classes, numSamples, noiseFor, { referenceLastNoisyPass });
  },
});

export default method;
