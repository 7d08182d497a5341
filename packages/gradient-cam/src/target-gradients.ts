import * as tf from '@tensorflow/tfjs-core';
import { type Head, type WgapModel, wgapHead } from '@wslbench/heads';

/** Target-layer activations A [N, h, w, K] and ∂S_c/∂A of each sample's class logit, same shape. */
export type ActivationsAndGradients = {
  activations: tf.Tensor4D;
  gradients: tf.Tensor4D;
};

export function checkClasses(classes: readonly number[], batchSize: number, numClasses?: number): void {
  if (classes.length !== batchSize) {
    throw new Error(`gradient CAM: ${classes.length} classes given for a batch of ${batchSize}`);
  }
  for (const [i, c] of classes.entries()) {
    if (!Number.isInteger(c) || c < 0 || (numClasses !== undefined && c >= numClasses)) {
      throw new Error(`gradient CAM: classes[${i}] = ${c} is not a class index in [0, ${numClasses ?? '∞'})`);
    }
  }
}

/**
 * Gradient of Σ_n S_{c_n}(head(A))_n (each sample's pre-softmax logit of its own class, summed over the batch) with
 * respect to A: one backward pass for the whole batch. Samples do not interact in inference mode, so slice n of the
 * result is exactly ∂S_{c_n}/∂A_n.
 */
export function targetLogitGradients(head: Head, activations: tf.Tensor4D, classes: readonly number[]): tf.Tensor4D {
  checkClasses(classes, activations.shape[0]);
  return tf.tidy(() => {
    const selectedLogitSum = (a: tf.Tensor): tf.Scalar => {
      const logits = head(a as tf.Tensor4D);
      checkClasses(classes, logits.shape[0], logits.shape[1]);
      const onehot = tf.oneHot(tf.tensor1d(classes as number[], 'int32'), logits.shape[1]);
      return tf.sum(tf.mul(logits, onehot));
    };
    return tf.grad(selectedLogitSum)(activations) as tf.Tensor4D;
  });
}

/**
 * Runs the backbone in inference mode on `images` and returns the target layer's activations (the backbone's final
 * `features`, the reference's last encoder ReLU) with the class-logit gradients of the WGAP head.
 */
export function activationsAndGradients(
  model: WgapModel,
  images: tf.Tensor4D,
  classes: readonly number[],
): ActivationsAndGradients {
  checkClasses(classes, images.shape[0]);
  return tf.tidy(() => {
    const { features } = model.backbone.forward(images, { training: false });
    const gradients = targetLogitGradients(wgapHead(model), features, classes);
    return { activations: features, gradients };
  });
}
