import type { Rng } from '@wslbench/core';
import { applyJitter, drawJitter, type JitterStrength, PROTOCOL_JITTER } from './color-jitter.js';

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** A sample already square-resized (the cache holds it): RGB uint8 [size*size*3] and mask uint8 [size*size]. */
export interface SquareSample {
  size: number;
  image: Uint8Array;
  /** 0 = background, 1 = foreground, 255 = ignore; absent when masks are not loaded. */
  mask?: Uint8Array;
}

export interface TransformedSample {
  /** Normalised RGB float32, HWC. */
  image: Float32Array;
  mask?: Uint8Array;
}

export interface Normalisation {
  mean: readonly [number, number, number] | readonly number[];
  std: readonly [number, number, number] | readonly number[];
}

export interface TrainDraw {
  top: number;
  left: number;
  hflip: boolean;
  vflip: boolean;
  jitter: ReturnType<typeof drawJitter> | null;
}

/** Random draws of one training sample, in the reference order: crop, h-flip, v-flip, colour jitter. */
export function drawTrain(
  rng: Rng,
  resize: number,
  crop: number,
  jitter: JitterStrength | null = PROTOCOL_JITTER,
): TrainDraw {
  if (crop > resize) throw new Error(`crop ${crop} is larger than resize ${resize}`);
  const top = Math.floor(rng() * (resize - crop + 1));
  const left = Math.floor(rng() * (resize - crop + 1));
  const hflip = rng() < 0.5;
  const vflip = rng() < 0.5;
  return { top, left, hflip, vflip, jitter: jitter ? drawJitter(rng, jitter) : null };
}

/**
 * Train transform on a sample already resized to `resize` x `resize`: crop -> flips (image and mask share the geometry)
 * -> colour jitter (image only) -> normalisation.
 */
export function applyTrain(s: SquareSample, crop: number, d: TrainDraw, norm: Normalisation): TransformedSample {
  const n = crop * crop;
  const px = new Float32Array(n * 3);
  const mask = s.mask ? new Uint8Array(n) : undefined;
  for (let y = 0; y < crop; y++) {
    const sy = d.top + (d.vflip ? crop - 1 - y : y);
    for (let x = 0; x < crop; x++) {
      const sx = d.left + (d.hflip ? crop - 1 - x : x);
      const si = sy * s.size + sx;
      const o = y * crop + x;
      px[o * 3] = s.image[si * 3]! / 255;
      px[o * 3 + 1] = s.image[si * 3 + 1]! / 255;
      px[o * 3 + 2] = s.image[si * 3 + 2]! / 255;
      if (mask) mask[o] = s.mask![si]!;
    }
  }
  if (d.jitter) applyJitter(px, d.jitter);
  normaliseInPlace(px, norm);
  return { image: px, mask };
}

/** Eval transform on a sample already resized to the eval size: normalisation only. */
export function applyEval(s: SquareSample, norm: Normalisation): TransformedSample {
  const px = new Float32Array(s.image.length);
  for (let i = 0; i < px.length; i++) px[i] = s.image[i]! / 255;
  normaliseInPlace(px, norm);
  return { image: px, mask: s.mask };
}

export function normaliseInPlace(px: Float32Array, { mean, std }: Normalisation): void {
  for (let i = 0; i < px.length; i += 3) {
    px[i] = (px[i]! - mean[0]!) / std[0]!;
    px[i + 1] = (px[i + 1]! - mean[1]!) / std[1]!;
    px[i + 2] = (px[i + 2]! - mean[2]!) / std[2]!;
  }
}
