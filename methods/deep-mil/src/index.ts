import * as tf from '@tensorflow/tfjs-core';
import { defineMethod, type ForwardContext, type MethodModel } from '@wslbench/core';
import { crossEntropy } from '@wslbench/heads';
import { minMaxNormalize } from '@wslbench/metrics';
import { z } from 'zod';
import { MilHead } from './mil-head.js';

export { MilHead, type MilHeadOptions } from './mil-head.js';

export const DeepMilHyperparams = z
  .object({
    midChannels: z.number().int().positive().default(128),
    gated: z.boolean().default(false),
    /** Accepted only as false: the reference asserts `support_background` is False for Deep MIL. */
    supportBackground: z
      .boolean()
      .default(false)
      .refine(
        (v) => v === false,
        'deep-mil does not support supportBackground=true (the reference asserts it is False)',
      ),
  })
  .strict();
export type DeepMilHyperparams = z.infer<typeof DeepMilHyperparams>;

export interface DeepMilModel extends MethodModel {
  readonly head: MilHead;
  /** `attention` [N, h, w, C] (softmax over positions per class) and `logits` [N, C]. */
  forward(images: tf.Tensor4D, ctx: ForwardContext): { attention: tf.Tensor4D; logits: tf.Tensor2D };
}

/** Attention maps of one class per image, [N, h, w, C] -> [N, h, w]. */
export function selectAttention(attention: tf.Tensor4D, classes: readonly number[]): tf.Tensor3D {
  const [n, , , c] = attention.shape;
  if (classes.length !== n) throw new Error(`deep-mil: ${classes.length} classes given for a batch of ${n}`);
  for (const k of classes)
    if (!Number.isInteger(k) || k < 0 || k >= c) throw new Error(`deep-mil: class ${k} out of range [0, ${c})`);
  return tf.tidy(() => {
    const onehot = tf.cast(
      tf.reshape(tf.oneHot(tf.tensor1d(classes as number[], 'int32'), c), [n, 1, 1, c]),
      'float32',
    );
    return tf.sum(tf.mul(attention, onehot), 3) as tf.Tensor3D;
  });
}

/** Deep MIL: attention pooling over positions with a per-class linear score; map = the class's attention. */
export const method = defineMethod<DeepMilHyperparams, DeepMilModel>({
  id: 'deep-mil',
  title: 'Deep MIL',
  paperKey: 'Deep MIL (Ilse et al., 2018)',
  summary: { trained: 'attention over positions (gated option)', map: 'attention' },
  citation: 'Ilse, Tomczak, Welling. Attention-based Deep Multiple Instance Learning. ICML 2018.',
  family: 'pooling',
  hyperparams: DeepMilHyperparams,
  searchSpace: {
    midChannels: { feasiblePoints: [64, 128, 256] },
    gated: { feasiblePoints: [false, true] },
  },
  requirements: {},
  referenceOptions: {},
  build(backbone, ctx) {
    if (ctx.hp.supportBackground) throw new Error('deep-mil: supportBackground=true is not supported');
    const head = new MilHead(ctx.params, {
      inChannels: backbone.outChannels,
      numClasses: ctx.numClasses,
      midChannels: ctx.hp.midChannels,
      gated: ctx.hp.gated,
    });
    return {
      backbone,
      params: ctx.params,
      head,
      forward(images, fctx) {
        const { features } = backbone.forward(images, fctx);
        const [n, h, w] = features.shape;
        const { attention, logits } = head.apply(features);
        const c = attention.shape[1];
        return { attention: tf.reshape(tf.transpose(attention, [0, 2, 1]), [n, h, w, c]) as tf.Tensor4D, logits };
      },
      dispose() {
        ctx.params.dispose();
      },
    };
  },
  loss(model, batch, ctx) {
    const { logits } = model.forward(batch.images, { training: true, rng: ctx.rng });
    return crossEntropy(logits, batch.labels);
  },
  localize(model, images, classes) {
    return tf.tidy(() =>
      minMaxNormalize(selectAttention(model.forward(images, { training: false }).attention, classes)),
    );
  },
  classify(model, images) {
    return tf.tidy(() => model.forward(images, { training: false }).logits);
  },
});

export default method;
