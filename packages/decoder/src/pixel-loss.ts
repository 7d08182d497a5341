import * as tf from '@tensorflow/tfjs-core';

/** S¹ = softmax(logits)[..., 1]: the foreground probability map [N, H, W] (NEGEV / U-Net test maps). */
export function foregroundProbability(logits: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, c] = logits.shape;
    if (c !== 2) throw new Error(`foregroundProbability: expected 2-channel logits, got [${logits.shape}]`);
    return tf.reshape(tf.slice(tf.softmax(logits), [0, 0, 0, 1], [n, h, w, 1]), [n, h, w]) as tf.Tensor3D;
  });
}

/**
 * −Σ_p (w⁰_p log S⁰_p + w¹_p log S¹_p) for 2-channel logits [N, H, W, 2] and per-pixel weights [N, H, W] of the
 * background and foreground targets. The caller puts the normalisation (1 / #pixels, λ...) into the weights.
 */
export function weightedPixelCrossEntropy(
  logits: tf.Tensor4D,
  bgWeights: tf.Tensor3D,
  fgWeights: tf.Tensor3D,
): tf.Scalar {
  return tf.tidy(() => {
    const [n, h, w, c] = logits.shape;
    if (c !== 2) throw new Error(`weightedPixelCrossEntropy: expected 2-channel logits, got [${logits.shape}]`);
    for (const [name, t] of [
      ['bgWeights', bgWeights],
      ['fgWeights', fgWeights],
    ] as const) {
      if (t.shape.join('x') !== [n, h, w].join('x'))
        throw new Error(`weightedPixelCrossEntropy: ${name} [${t.shape}] must be [${n}, ${h}, ${w}]`);
    }
    const weights = tf.stack([bgWeights, fgWeights], 3);
    return tf.neg(tf.sum(tf.mul(weights, tf.logSoftmax(logits)))) as tf.Scalar;
  });
}

/**
 * Pixel cross-entropy averaged over the labelled pixels (U-Net; PyTorch CE with ignore_index): masks [N, H, W] with
 * 1 = foreground, 0 = background, anything else (255) ignored. All pixels ignored -> 0.
 */
export function maskedPixelCrossEntropy(logits: tf.Tensor4D, masks: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const [n, h, w] = logits.shape;
    if (masks.shape.join('x') !== [n, h, w].join('x')) {
      throw new Error(`maskedPixelCrossEntropy: masks [${masks.shape}] do not match the logits [${n}, ${h}, ${w}]`);
    }
    const m = tf.cast(masks, 'int32');
    const fg = tf.cast(tf.equal(m, 1), 'float32') as tf.Tensor3D;
    const bg = tf.cast(tf.equal(m, 0), 'float32') as tf.Tensor3D;
    const count = tf.maximum(tf.add(tf.sum(fg), tf.sum(bg)), 1);
    return tf.div(weightedPixelCrossEntropy(logits, bg, fg), count) as tf.Scalar;
  });
}
