import * as tf from '@tensorflow/tfjs-core';
import {
  defineMethod,
  type LocalizeContext,
  type MethodDescription,
  type SearchDim,
  type WslMethod,
} from '@wslbench/core';
import { buildWgap, crossEntropy, type WgapModel } from '@wslbench/heads';
import { minMaxNormalize } from '@wslbench/metrics';
import type { z } from 'zod';
import { type ActivationsAndGradients, activationsAndGradients } from './target-gradients.js';

export interface GradientMethodSpec<H> extends Omit<MethodDescription, 'family'> {
  hyperparams: z.ZodType<H>;
  searchSpace?: Partial<Record<keyof H & string, SearchDim>>;
  referenceOptions?: Partial<Record<keyof H & string, string>>;
  /** Raw maps [N, h, w] (after the method's ReLU, before normalisation) for the given classes. */
  rawMaps(model: WgapModel, images: tf.Tensor4D, classes: number[], ctx: LocalizeContext<H>): tf.Tensor3D;
}

/**
 * A gradient CAM method: the WGAP classifier trained with cross-entropy exactly as CAM, and `localize` = the method's
 * raw map, min-max normalised per sample at feature resolution (the evaluator upsamples).
 */
export function defineGradientMethod<H>(spec: GradientMethodSpec<H>): WslMethod<H, WgapModel> {
  const { hyperparams, searchSpace = {}, referenceOptions, rawMaps: _rawMaps, ...description } = spec;
  return defineMethod<H, WgapModel>({
    ...description,
    family: 'gradient',
    hyperparams,
    searchSpace,
    requirements: {},
    ...(referenceOptions ? { referenceOptions } : {}),
    // Build and loss are CAM's and no hyper-parameter reaches them: with reuseCamRun the run is CAM's training.
    trainingOf: (hp) => (reusesCamRun(hp) ? 'cam' : spec.id),
    build: (backbone, ctx) => buildWgap(backbone, ctx),
    loss(model, batch, ctx) {
      const { logits } = model.forward(batch.images, { training: true, rng: ctx.rng });
      return crossEntropy(logits, batch.labels);
    },
    localize(model, images, classes, ctx) {
      return tf.tidy(() => minMaxNormalize(spec.rawMaps(model, images, classes, ctx)));
    },
    classify(model, images) {
      return tf.tidy(() => model.forward(images, { training: false }).logits);
    },
  });
}

function reusesCamRun(hp: unknown): boolean {
  return typeof hp === 'object' && hp !== null && 'reuseCamRun' in hp && hp.reuseCamRun === true;
}

/** `rawMaps` for the single-pass methods: one forward, one backward, then the method's hook. */
export function singlePassMaps<H>(
  hook: (inputs: ActivationsAndGradients, hp: H) => tf.Tensor3D,
): GradientMethodSpec<H>['rawMaps'] {
  return (model, images, classes, ctx) => tf.tidy(() => hook(activationsAndGradients(model, images, classes), ctx.hp));
}
