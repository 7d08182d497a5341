import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@wslbench/core';

/** The reference's grid is 5 px at a 224 px input: scale it with the input size (at least 1 px). */
export function scaledGridSize(gridAt224: number, imageSize: number): number {
  return Math.max(1, Math.round((gridAt224 * imageSize) / 224));
}

/**
 * Keep mask [n, h, w] (1 = keep, 0 = hidden): the image is tiled by grid x grid patches from the top-left corner
 * (edge patches clipped, as the reference's slicing), and each patch of each image is hidden with probability `p`,
 * one draw per patch in row-major order from `rng`.
 */
export function hidePatchesMask(n: number, h: number, w: number, grid: number, p: number, rng: Rng): Float32Array {
  if (!(Number.isInteger(grid) && grid >= 1)) throw new Error(`HaS: grid size must be a positive integer, got ${grid}`);
  const mask = new Float32Array(n * h * w).fill(1);
  for (let i = 0; i < n; i++)
    for (let y0 = 0; y0 < h; y0 += grid)
      for (let x0 = 0; x0 < w; x0 += grid) {
        if (rng() >= p) continue;
        for (let y = y0; y < Math.min(h, y0 + grid); y++)
          for (let x = x0; x < Math.min(w, x0 + grid); x++) mask[(i * h + y) * w + x] = 0;
      }
  return mask;
}

/**
 * Hide-and-Seek on a normalised batch [N, H, W, C]: hidden patches become 0, i.e. the dataset mean colour.
 * `gridAt224` is scaled with the batch's height.
 */
export function hideAndSeek(images: tf.Tensor4D, gridAt224: number, p: number, rng: Rng): tf.Tensor4D {
  const [n, h, w] = images.shape;
  const grid = scaledGridSize(gridAt224, h);
  const keep = hidePatchesMask(n, h, w, grid, p, rng);
  return tf.tidy(() => tf.mul(images, tf.tensor4d(keep, [n, h, w, 1])));
}
