import * as tf from '@tensorflow/tfjs-core';
import {
  type Batch,
  defineMethod,
  type LocalizeContext,
  type MethodRequirements,
  type SearchDim,
  type StepContext,
  type WslMethod,
} from '@wslbench/core';
import { minMaxNormalize } from '@wslbench/metrics';
import { classifierWeights, weightedChannelSum } from './class-activation.js';
import { crossEntropy } from './cross-entropy.js';
import { buildWgap, type WgapModel } from './wgap.js';

/** Channel weights [N, K] of each image's class map, from the target layer's activations [N, h, w, K]. */
export type ChannelWeights<H> = (
  model: WgapModel,
  features: tf.Tensor4D,
  classes: number[],
  ctx: LocalizeContext<H>,
) => tf.Tensor2D;

export type CamMethodSpec<H> = Omit<
  WslMethod<H, WgapModel>,
  'build' | 'loss' | 'localize' | 'classify' | 'searchSpace' | 'requirements'
> & {
  searchSpace?: Partial<Record<keyof H & string, SearchDim>>;
  requirements?: MethodRequirements;
  /** Training loss; default: cross-entropy of the WGAP logits (CAM's). */
  loss?: (model: WgapModel, batch: Batch, ctx: StepContext<H>) => tf.Scalar;
  /**
   * How the channels are weighted in the map Σ_k w_k A_k; default: the classifier's column of the class (CAM).
   * Runs without gradients: a Score-CAM-style method needs only this function.
   */
  channelWeights?: ChannelWeights<H>;
};

/** CAM's loss: cross-entropy of the WGAP classifier's training-mode logits. */
export function wgapLoss(model: WgapModel, batch: Batch, ctx: { rng: StepContext<unknown>['rng'] }): tf.Scalar {
  const { logits } = model.forward(batch.images, { training: true, rng: ctx.rng });
  return crossEntropy(logits, batch.labels);
}

/** The WGAP classifier's inference-mode logits [N, C]. */
export function wgapLogits(model: WgapModel, images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => model.forward(images, { training: false }).logits);
}

const camWeights: ChannelWeights<unknown> = (model, _features, classes) =>
  classifierWeights(model.fc.kernel as tf.Tensor2D, classes);

/**
 * A gradient-free CAM method on the WGAP classifier: trained with `loss` (default cross-entropy), map =
 * Σ_k w_k A_k of the last feature map with the weights of `channelWeights` (default CAM's), min-max normalised per
 * sample at feature resolution (the evaluator upsamples).
 */
export function defineCamMethod<H>(spec: CamMethodSpec<H>): WslMethod<H, WgapModel> {
  const { loss = wgapLoss, channelWeights = camWeights, searchSpace = {}, requirements = {}, ...identity } = spec;
  return defineMethod<H, WgapModel>({
    ...identity,
    searchSpace,
    requirements,
    build: (backbone, ctx) => buildWgap(backbone, ctx),
    loss,
    localize(model, images, classes, ctx) {
      return tf.tidy(() => {
        const { features } = model.forward(images, { training: false });
        return minMaxNormalize(weightedChannelSum(channelWeights(model, features, classes, ctx), features));
      });
    },
    classify: wgapLogits,
  });
}
