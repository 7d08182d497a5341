/**
 * Map post-processing shared by every CAM-style method (NEGEV reference `_CAM.compute_cams` + inference):
 * per-image min-max at feature resolution, bilinear upsampling with half-pixel centres (PyTorch
 * `F.interpolate(bilinear, align_corners=False)`), then `nan_to_num(nan=0, posinf=1, neginf=0)`.
 */
import * as tf from '@tensorflow/tfjs-core';

function asMaps(maps: tf.Tensor, fn: string): tf.Tensor3D {
  if (maps.rank === 3) return tf.cast(maps, 'float32') as tf.Tensor3D;
  if (maps.rank === 4 && maps.shape[3] === 1) return tf.cast(tf.squeeze(maps, [3]), 'float32') as tf.Tensor3D;
  throw new RangeError(`${fn}: maps must be [N, h, w] or [N, h, w, 1], got [${maps.shape.join(', ')}]`);
}

/** NaN -> nan, +Inf -> posinf, -Inf -> neginf (torch.nan_to_num with the reference's 0, 1, 0). float32 output. */
export function nanToNum(x: tf.Tensor, nan = 0, posinf = 1, neginf = 0): tf.Tensor {
  return tf.tidy(() => {
    const v = tf.cast(x, 'float32');
    let out = tf.where(tf.isNaN(v), tf.fill(v.shape, nan), v);
    out = tf.where(tf.equal(out, Number.POSITIVE_INFINITY), tf.fill(v.shape, posinf), out);
    return tf.where(tf.equal(out, Number.NEGATIVE_INFINITY), tf.fill(v.shape, neginf), out);
  });
}

/**
 * Per-image min-max: (x - min) / (max - min) (= the reference's (x - min) / max(x - min)). A constant map (0/0) and a
 * map containing NaN (torch min/max propagate NaN) become all zeros; infinities end as the reference's nan_to_num
 * leaves them (all zeros). Input [N, h, w] (or [N, h, w, 1]); output [N, h, w] float32.
 */
export function minMaxNormalize(maps: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => {
    const x = asMaps(maps, 'minMaxNormalize');
    const [n, h, w] = x.shape;
    const flat = tf.reshape(x, [n, h * w]);
    const min = tf.min(flat, 1, true);
    const max = tf.max(flat, 1, true);
    const normalized = tf.div(tf.sub(flat, min), tf.sub(max, min));
    // TF.js reductions may skip NaN; the reference's torch min/max propagate it, turning the whole map to NaN -> 0.
    const hasNaN = tf.any(tf.isNaN(flat), 1, true);
    const zeroed = tf.where(tf.broadcastTo(hasNaN, [n, h * w]), tf.zerosLike(normalized), normalized);
    return tf.reshape(nanToNum(zeroed), [n, h, w]) as tf.Tensor3D;
  });
}

/** Bilinear resize with half-pixel centres (PyTorch align_corners=False): [N, h, w] -> [N, H, W] float32. */
export function upsampleMaps(maps: tf.Tensor, size: number | [number, number]): tf.Tensor3D {
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new RangeError(`upsampleMaps: size must be positive integers, got ${String(size)}`);
  }
  return tf.tidy(() => {
    const x = tf.expandDims(asMaps(maps, 'upsampleMaps'), 3) as tf.Tensor4D;
    return tf.squeeze(tf.image.resizeBilinear(x, [height, width], false, true), [3]) as tf.Tensor3D;
  });
}

/** The full CAM pipeline: min-max at feature resolution, upsample to the mask size, nan_to_num. */
export function camsToScoremaps(maps: tf.Tensor, size: number | [number, number]): tf.Tensor3D {
  return tf.tidy(() => nanToNum(upsampleMaps(minMaxNormalize(maps), size)) as tf.Tensor3D);
}
