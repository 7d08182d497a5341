import type * as tf from '@tensorflow/tfjs-core';
import { type BackboneInstance, type BuildContext, Dense, type ForwardContext, type MethodModel } from '@wslbench/core';
import { globalAveragePool } from './pooling.js';

/** The part of a classifier after its target layer: activations [N, h, w, K] -> logits [N, C]. */
export type Head = (activations: tf.Tensor4D) => tf.Tensor2D;

/**
 * The WGAP classifier of the reference (`core.WGAP`): global average pooling of the last feature map, then a
 * fully connected layer. CAM, HaS, CutMix, ADL, NEGEV's classifier and the gradient methods all train it.
 */
export interface WgapModel extends MethodModel {
  readonly fc: Dense;
  forward(images: tf.Tensor4D, ctx: ForwardContext): { features: tf.Tensor4D; logits: tf.Tensor2D };
}

/** The WGAP head (GAP + FC), exactly as WgapModel.forward applies it after the backbone. */
export function wgapHead(model: { readonly fc: Dense }): Head {
  return (features) => model.fc.apply(globalAveragePool(features));
}

/** Name prefix of the WGAP head's parameters (the reference's `classification_head`). */
export const WGAP_HEAD_PREFIX = 'classification_head.';

export function buildWgap(backbone: BackboneInstance, ctx: BuildContext<unknown>): WgapModel {
  // Reference head init: xavier_uniform weights, zero bias; 10x lr group.
  const fc = new Dense(ctx.params, `${WGAP_HEAD_PREFIX}fc`, {
    inFeatures: backbone.outChannels,
    outFeatures: ctx.numClasses,
    group: 'head',
    init: { kind: 'xavierUniform' },
  });
  const head = wgapHead({ fc });
  return {
    backbone,
    params: ctx.params,
    fc,
    forward(images, fctx) {
      const { features } = backbone.forward(images, fctx);
      return { features, logits: head(features) };
    },
    dispose() {
      ctx.params.dispose();
    },
  };
}
