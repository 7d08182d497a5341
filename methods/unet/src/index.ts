import * as tf from '@tensorflow/tfjs-core';
import { type BackboneInstance, defineMethod, type MethodModel, type ParamStore, type Rng } from '@wslbench/core';
import { buildUnetDecoder, foregroundProbability, maskedPixelCrossEntropy, type UnetDecoder } from '@wslbench/decoder';
import { z } from 'zod';

export const UnetHyperparams = z
  .object({
    /** Decoder channels = 256-128-64-32-16 x backbone width x decoderScale (1 / width: the paper's decoder). */
    decoderScale: z.number().positive().max(16).default(1),
    /**
     * 'single': every parameter at the base lr (reference SEG task: one parameter group); 'backbone': keep the
     * backbone's base / 10x head groups and put the decoder in the base group; 'decoder': the encoder at the base lr,
     * the new decoder in the head group (base lr x headLrMultiplier), as the weakly supervised heads.
     */
    lrGroups: z.enum(['single', 'backbone', 'decoder']).default('single'),
  })
  .strict();
export type UnetHyperparams = z.infer<typeof UnetHyperparams>;

export interface UnetModel extends MethodModel {
  readonly decoder: UnetDecoder;
  /** Segmentation logits [N, H, W, 2] at the input size. */
  readonly numClasses: number;
  forward(images: tf.Tensor4D, training: boolean, rng?: Rng): tf.Tensor4D;
}

export function buildUnet(
  backbone: BackboneInstance,
  params: ParamStore,
  hp: UnetHyperparams,
  numClasses = 2,
): UnetModel {
  const decoder = buildUnetDecoder(params, backbone, {
    scale: hp.decoderScale,
    group: hp.lrGroups === 'decoder' ? 'head' : 'base',
  });
  if (hp.lrGroups === 'single') for (const p of params.all()) p.group = 'base';
  if (hp.lrGroups === 'decoder') for (const p of params.all()) if (p.name.startsWith(backbone.prefix)) p.group = 'base';
  return {
    backbone,
    params,
    decoder,
    numClasses,
    forward(images, training, rng) {
      const ctx = { training, ...(rng ? { rng } : {}) };
      const { stages } = backbone.forward(images, ctx);
      return decoder.apply(stages, [images.shape[1], images.shape[2]], ctx);
    },
    dispose() {
      params.dispose();
    },
  };
}

/** U-Net (Ronneberger et al. 2015) with the NEGEV encoder and decoder, trained on full masks: the upper bound. */
export const method = defineMethod<UnetHyperparams, UnetModel>({
  id: 'unet',
  title: 'U-Net',
  paperKey: 'U-Net (Ronneberger et al., 2015)',
  group: 'fully-supervised',
  summary: { trained: 'encoder + decoder on full masks', map: 'S¹' },
  citation: 'Ronneberger, Fischer, Brox. U-Net: Convolutional Networks for Biomedical Image Segmentation. MICCAI 2015.',
  family: 'supervised',
  hyperparams: UnetHyperparams,
  searchSpace: {},
  requirements: { pixelMasks: true },
  referenceOptions: { lrGroups: "'single': the reference trains SEG with one parameter group (no 10x head lr)" },
  build: (backbone, ctx) => buildUnet(backbone, ctx.params, ctx.hp, ctx.numClasses),
  loss(model, batch, ctx) {
    if (!batch.masks)
      throw new Error('U-Net: the batch has no pixel masks (requirements.pixelMasks asks the trainer for them)');
    const logits = model.forward(batch.images, true, ctx.rng);
    return maskedPixelCrossEntropy(logits, batch.masks);
  },
  localize(model, images) {
    return tf.tidy(() => foregroundProbability(model.forward(images, false)));
  },
  /** No classifier: uniform logits (the paper reports no CL accuracy for U-Net). */
  classify(model, images) {
    return tf.zeros([images.shape[0], model.numClasses]) as tf.Tensor2D;
  },
});

export default method;
