import * as tf from '@tensorflow/tfjs-core';
import { type Rng, shuffled } from '@wslbench/core';
import { sampleBeta } from './beta.js';

/** A box [y1, y2) x [x1, x2) in pixels. */
export interface Box {
  y1: number;
  y2: number;
  x1: number;
  x2: number;
}

/**
 * The reference's `rand_bbox`: sides int(size·√(1−λ)), a uniformly drawn integer centre, corners clipped to the
 * image (so the box can be smaller than 1−λ of the image near the borders).
 */
export function cutmixBox(h: number, w: number, lam: number, rng: Rng): Box {
  const cut = Math.sqrt(1 - lam);
  const cutH = Math.trunc(h * cut);
  const cutW = Math.trunc(w * cut);
  const cy = Math.floor(rng() * h);
  const cx = Math.floor(rng() * w);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return {
    y1: clip(cy - Math.floor(cutH / 2), h),
    y2: clip(cy + Math.floor(cutH / 2), h),
    x1: clip(cx - Math.floor(cutW / 2), w),
    x2: clip(cx + Math.floor(cutW / 2), w),
  };
}

/** λ recomputed from the clipped box: the fraction of each image that keeps its own pixels. */
export function lambdaFromBox(box: Box, h: number, w: number): number {
  return 1 - ((box.y2 - box.y1) * (box.x2 - box.x1)) / (h * w);
}

export interface CutmixResult {
  images: tf.Tensor4D;
  /** Index of the image each sample's box was pasted from. */
  perm: number[];
  box: Box;
  /** Recomputed λ (weight of the sample's own label). */
  lam: number;
}

/** Paste the box of a shuffled batch into each image; λ ~ Beta(β, β) is then recomputed from the clipped box. */
export function cutmix(images: tf.Tensor4D, beta: number, rng: Rng): CutmixResult {
  const [n, h, w] = images.shape;
  const lam0 = sampleBeta(beta, beta, rng);
  const perm = shuffled(
    Array.from({ length: n }, (_, i) => i),
    rng,
  );
  const box = cutmixBox(h, w, lam0, rng);
  const mixed = tf.tidy(() => {
    const inBox = new Float32Array(h * w);
    for (let y = box.y1; y < box.y2; y++) inBox.fill(1, y * w + box.x1, y * w + box.x2);
    const mask = tf.tensor4d(inBox, [1, h, w, 1]);
    const pasted = tf.gather(images, tf.tensor1d(perm, 'int32'));
    return tf.add(tf.mul(pasted, mask), tf.mul(images, tf.sub(1, mask))) as tf.Tensor4D;
  });
  return { images: mixed, perm, box, lam: lambdaFromBox(box, h, w) };
}
