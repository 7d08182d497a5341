import * as tf from '@tensorflow/tfjs-core';
import { rngStream } from '@wslbench/core';

/** Seeded uniform values in [-1, 1), independent of the backend. */
export function randomValues(n: number, ...seed: (string | number)[]): Float32Array {
  const rng = rngStream('engine-test', ...seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng() * 2 - 1;
  return out;
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Run `f` with `backend` active and copy its results out as typed arrays (tensors live on one backend only). */
export async function onBackend(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => f().map((t) => t.dataSync().slice() as Float32Array));
}

/** max |a-b| / max |b|: the relative error the kernel tests bound. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return den === 0 ? num : num / den;
}
