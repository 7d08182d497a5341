import * as tf from '@tensorflow/tfjs-core';
import {
  type BackboneInstance,
  type BuildContext,
  defineMethod,
  type ForwardContext,
  type MethodDescription,
  type MethodModel,
  type SearchDim,
  type WslMethod,
} from '@wslbench/core';
import { minMaxNormalize } from '@wslbench/metrics';
import { z } from 'zod';
import { classLogits, selectClassMaps } from './background.js';
import { ClassMapHead } from './class-map-head.js';
import { crossEntropy } from './cross-entropy.js';

/** The hyper-parameter every class-map pooling method shares. */
export const poolingHeadFields = {
  /** Reference `support_background`: an extra map 0 whose score is dropped from the logits (it gets no gradient). */
  supportBackground: z.boolean().default(false),
};

export interface PoolingHyperparams {
  supportBackground: boolean;
}

/** A classifier whose head produces class maps that a spatial pooling turns into logits. */
export interface ClassMapModel extends MethodModel {
  readonly head: ClassMapHead;
  /** `maps` [N, h, w, K] (K = C, +1 with a background map), `logits` [N, C]. */
  forward(images: tf.Tensor4D, ctx: ForwardContext): { maps: tf.Tensor4D; logits: tf.Tensor2D };
}

export interface PoolingMethodSpec<H extends PoolingHyperparams> extends Omit<MethodDescription, 'family'> {
  hyperparams: z.ZodType<H>;
  searchSpace: Partial<Record<keyof H & string, SearchDim>>;
  referenceOptions?: Partial<Record<keyof H & string, string>>;
  /** Maps per class for the head (WILDCAT's modalities); 1 when absent. */
  modalities?: (hp: H) => number;
  /** Spatial pooling of the head's maps [N, h, w, K] -> scores [N, K]. */
  pool: (maps: tf.Tensor4D, hp: H) => tf.Tensor2D;
}

export function buildClassMapModel<H extends PoolingHyperparams>(
  backbone: BackboneInstance,
  ctx: BuildContext<H>,
  pool: (maps: tf.Tensor4D, hp: H) => tf.Tensor2D,
  modalities = 1,
): ClassMapModel {
  const hp = ctx.hp;
  const head = new ClassMapHead(ctx.params, {
    inChannels: backbone.outChannels,
    numClasses: ctx.numClasses,
    supportBackground: hp.supportBackground,
    modalities,
  });
  return {
    backbone,
    params: ctx.params,
    head,
    forward(images, fctx) {
      const { features } = backbone.forward(images, fctx);
      const maps = head.apply(features);
      return { maps, logits: classLogits(pool(maps, hp), hp.supportBackground) };
    },
    dispose() {
      ctx.params.dispose();
    },
  };
}

/**
 * A complete method descriptor for a "trained head" method (GAP, MAX-POOL, LSE, WILDCAT, PRM): class-map head +
 * the given pooling, cross-entropy on the logits, and the class map itself (min-max normalised) as the CAM.
 */
export function definePoolingMethod<H extends PoolingHyperparams>(
  spec: PoolingMethodSpec<H>,
): WslMethod<H, ClassMapModel> {
  const { hyperparams, searchSpace, referenceOptions, modalities: _m, pool: _p, ...description } = spec;
  return defineMethod<H, ClassMapModel>({
    ...description,
    family: 'pooling',
    hyperparams,
    searchSpace,
    requirements: {},
    ...(referenceOptions ? { referenceOptions } : {}),
    build: (backbone, ctx) => buildClassMapModel(backbone, ctx, spec.pool, spec.modalities?.(ctx.hp) ?? 1),
    loss(model, batch, ctx) {
      const { logits } = model.forward(batch.images, { training: true, rng: ctx.rng });
      return crossEntropy(logits, batch.labels);
    },
    localize(model, images, classes) {
      return tf.tidy(() => {
        const { maps } = model.forward(images, { training: false });
        return minMaxNormalize(selectClassMaps(maps, classes, model.head.supportBackground));
      });
    },
    classify(model, images) {
      return tf.tidy(() => model.forward(images, { training: false }).logits);
    },
  });
}
