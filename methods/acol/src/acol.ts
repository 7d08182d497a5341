import * as tf from '@tensorflow/tfjs-core';
import type { BackboneInstance, BuildContext, ForwardContext, MethodModel } from '@wslbench/core';
import {
  ConvStack,
  globalAveragePool,
  headWidth,
  predictedClasses,
  selectClassMaps,
  withoutGradient,
} from '@wslbench/heads';
import { minMaxNormalize } from '@wslbench/metrics';

/** Which class's A-map is erased for branch B. */
export type EraseClass = 'predicted' | 'groundTruth';

export interface AcolOutput {
  /** Class maps of heads A and B, [N, h, w, C]. */
  mapsA: tf.Tensor4D;
  mapsB: tf.Tensor4D;
  logitsA: tf.Tensor2D;
  logitsB: tf.Tensor2D;
}

export interface AcolModel extends MethodModel {
  readonly headA: ConvStack;
  readonly headB: ConvStack;
  /** `classes`: the class erased per image; omitted = the predicted class (argmax of A's logits). */
  forward(images: tf.Tensor4D, ctx: ForwardContext, classes?: readonly number[]): AcolOutput;
}

/**
 * ACoL's erasing mask [N, h, w, 1]: 1[minmax(A_c) < τ] for each image's class c (erase where the normalised A-map
 * reaches τ). A constant map normalises to 0 and erases nothing (torch: NaN >= τ is false). No gradient.
 */
export function acolEraseMask(mapsA: tf.Tensor4D, classes: readonly number[], threshold: number): tf.Tensor4D {
  const eraseMask = withoutGradient((maps: tf.Tensor4D) =>
    tf.tidy(() => {
      const norm = minMaxNormalize(selectClassMaps(maps, classes, false));
      const keep = tf.cast(tf.less(norm, threshold), 'float32');
      // withoutGradient needs the input's shape back: broadcast the mask over the class axis, then keep one.
      return tf.mul(tf.expandDims(keep, 3), tf.onesLike(maps)) as tf.Tensor4D;
    }),
  );
  return tf.tidy(() => tf.slice(eraseMask(mapsA), [0, 0, 0, 0], [-1, -1, -1, 1]));
}

/** The localization map max(minmax(A_c), minmax(B_c)), [N, h, w]. */
export function acolMap(mapsA: tf.Tensor4D, mapsB: tf.Tensor4D, classes: readonly number[]): tf.Tensor3D {
  return tf.tidy(() =>
    tf.maximum(
      minMaxNormalize(selectClassMaps(mapsA, classes, false)),
      minMaxNormalize(selectClassMaps(mapsB, classes, false)),
    ),
  );
}

export function buildAcol(
  backbone: BackboneInstance,
  ctx: BuildContext<{ headChannels: number; threshold: number }>,
): AcolModel {
  const width = headWidth(ctx.hp.headChannels, backbone);
  const layers = [
    { out: width, kernel: 3, relu: true },
    { out: width, kernel: 3, relu: true },
    { out: ctx.numClasses, kernel: 1, relu: false },
  ] as const;
  const headA = new ConvStack(ctx.params, 'classifier_A', backbone.outChannels, layers);
  const headB = new ConvStack(ctx.params, 'classifier_B', backbone.outChannels, layers);
  return {
    backbone,
    params: ctx.params,
    headA,
    headB,
    forward(images, fctx, classes) {
      const { features } = backbone.forward(images, fctx);
      const mapsA = headA.apply(features);
      const logitsA = globalAveragePool(mapsA);
      const erase = classes ?? predictedClasses(logitsA);
      const erased = tf.mul(features, acolEraseMask(mapsA, erase, ctx.hp.threshold)) as tf.Tensor4D;
      const mapsB = headB.apply(erased);
      return { mapsA, mapsB, logitsA, logitsB: globalAveragePool(mapsB) };
    },
    dispose() {
      ctx.params.dispose();
    },
  };
}
