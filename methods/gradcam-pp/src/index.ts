import { defineGradientMethod, gradCamPlusPlusMap, gradientBaseShape, singlePassMaps } from '@wslbench/gradient-cam';
import { z } from 'zod';

export {
  type GradCamPlusPlusOptions,
  gradCamPlusPlusMap as mapFromActivations,
  PGC_ALPHA_EPS,
} from '@wslbench/gradient-cam';

export const GradCamPlusPlusHyperparams = z
  .object({
    ...gradientBaseShape,
    /** torchcam/NEGEV code: the α division is a no-op there, so α = g² (w_k = Σ_ij relu(g)³). */
    referenceAlpha: z.boolean().default(false),
    /** Added to α's denominator; pytorch-grad-cam uses 1e-6 (see README: it dominates at WGAP gradient scales). */
    alphaEpsilon: z.number().min(0).default(0),
  })
  .strict();
export type GradCamPlusPlusHyperparams = z.infer<typeof GradCamPlusPlusHyperparams>;

export const method = defineGradientMethod<GradCamPlusPlusHyperparams>({
  id: 'gradcam-pp',
  title: 'GradCAM++',
  paperKey: 'GradCAM++ (Chattopadhyay et al., 2018)',
  summary: { trained: 'WGAP', map: 'paper α' },
  citation:
    'Chattopadhay, Sarkar, Howlader, Balasubramanian. Grad-CAM++: Generalized Gradient-Based Visual Explanations for Deep Convolutional Networks. WACV 2018.',
  hyperparams: GradCamPlusPlusHyperparams,
  referenceOptions: {
    referenceAlpha:
      'torchcam/NEGEV GradCAMpp: the α division acts on a boolean-mask copy, so α = g² and w_k = Σ_ij g²·ReLU(g).',
  },
  rawMaps: singlePassMaps((inputs, hp) =>
    gradCamPlusPlusMap(inputs, { referenceAlpha: hp.referenceAlpha, epsilon: hp.alphaEpsilon }),
  ),
});

export default method;
