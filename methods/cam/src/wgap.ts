import * as tf from '@tensorflow/tfjs-core';
import { type BackboneInstance, type BuildContext, Dense, type ForwardContext, type MethodModel } from '@wslbench/core';

/**
 * The WGAP classifier of the reference (`core.WGAP`): global average pooling of the last feature map, then a
 * fully connected layer. CAM, HaS, CutMix, ADL and the five gradient methods all train this architecture.
 */
export interface WgapModel extends MethodModel {
  readonly fc: Dense;
  forward(images: tf.Tensor4D, ctx: ForwardContext): { features: tf.Tensor4D; logits: tf.Tensor2D };
}

export function buildWgap(backbone: BackboneInstance, ctx: BuildContext<unknown>): WgapModel {
  // Reference head init: xavier_uniform weights, zero bias; 10x lr group.
  const fc = new Dense(ctx.params, 'classification_head.fc', {
    inFeatures: backbone.outChannels,
    outFeatures: ctx.numClasses,
    group: 'head',
    init: { kind: 'xavierUniform' },
  });
  return {
    backbone,
    params: ctx.params,
    fc,
    forward(images, fctx) {
      const { features } = backbone.forward(images, fctx);
      const logits = fc.apply(tf.mean(features, [1, 2]) as tf.Tensor2D);
      return { features, logits };
    },
    dispose() {
      ctx.params.dispose();
    },
  };
}

/** Mean softmax cross-entropy of logits [N, C] against int labels [N]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const onehot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

/**
 * Class activation maps Σ_k w_ck A_k for one class per image (no ReLU, as the reference), [N, h, w].
 * `features` [N, h, w, K], `kernel` [K, C].
 */
export function classActivationMaps(
  features: tf.Tensor4D,
  kernel: tf.Tensor2D,
  classes: readonly number[],
): tf.Tensor3D {
  const [n, h, w, k] = features.shape;
  if (classes.length !== n) throw new Error(`CAM: ${classes.length} classes given for a batch of ${n}`);
  const weights = tf.transpose(tf.gather(kernel, tf.tensor1d(classes as number[], 'int32'), 1)); // [N, K]
  const flat = tf.reshape(features, [n, h * w, k]);
  return tf.reshape(tf.matMul(flat, tf.expandDims(weights, 2)), [n, h, w]);
}
