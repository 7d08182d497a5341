import * as tf from '@tensorflow/tfjs-core';
import type { AnyMethod, Batch, LocalizeContext } from '@wslbench/core';
import { buildOnTiny, toyBatch, trainSteps } from '@wslbench/core/testing';
import type { Head, WgapModel } from '@wslbench/heads';
import { targetLogitGradients } from './target-gradients.js';

/** Deterministic, sign-mixed fill: no RNG so that every test sees the same numbers. */
export function wave(length: number, phase: number, scale = 1): Float32Array {
  return Float32Array.from({ length }, (_, i) => scale * Math.sin(1.7 * i + phase) * Math.cos(0.31 * i * i + phase));
}

export interface ConvNetFixture {
  /** Target-layer activations A = ReLU(conv3x3(x)) [2, 3, 4, 4]; channel 3 is dead (all zeros). */
  activations: tf.Tensor4D;
  /** ∂S_c/∂A of each sample's class through the nonlinear head: varies over space and has both signs. */
  gradients: tf.Tensor4D;
  classes: number[];
  /** The head after the target layer: ReLU(conv1x1) -> GAP -> dense (3 classes). */
  head: Head;
  dispose(): void;
}

/**
 * A tiny conv net with fixed weights for hook tests. The head is nonlinear so that the gradients vary over space
 * (on the WGAP head they are constant, which would make every formula test weak). `noisePhase`/`noiseScale` add a
 * fixed perturbation to the input (the same weights), for Smooth-GradCAM++'s noisy passes.
 */
export function tinyConvNetFixture({ noisePhase = 0, noiseScale = 0 } = {}): ConvNetFixture {
  const [n, h, w, cin, k, hidden, classes] = [2, 3, 4, 3, 4, 5, 3];
  const clean = wave(n * h * w * cin, 0.3, 2);
  const noise = wave(clean.length, noisePhase, noiseScale);
  const x = tf.tensor4d(
    clean.map((v, i) => v + noise[i]!),
    [n, h, w, cin],
  );
  const conv = tf.tensor4d(wave(9 * cin * k, 1.1, 0.6), [3, 3, cin, k]);
  const bias = tf.tensor1d([0.2, 0.1, 0.3, -100]); // channel 3 never fires: a dead channel
  const activations = tf.tidy(() => tf.relu(tf.add(tf.conv2d(x, conv, 1, 'same'), bias)) as tf.Tensor4D);
  const v = tf.tensor4d(wave(k * hidden, 2.3), [1, 1, k, hidden]);
  const vb = tf.tensor1d(wave(hidden, 0.7, 0.2));
  const fc = tf.tensor2d(wave(hidden * classes, 4.1), [hidden, classes]);
  const head: Head = (a) =>
    tf.tidy(() => tf.matMul(tf.mean(tf.relu(tf.add(tf.conv2d(a, v, 1, 'valid'), vb)), [1, 2]) as tf.Tensor2D, fc));
  const cls = [2, 0];
  const gradients = targetLogitGradients(head, activations, cls);
  return {
    activations,
    gradients,
    classes: cls,
    head,
    dispose: () => tf.dispose([x, conv, bias, activations, v, vb, fc, gradients]),
  };
}

/** NHWC tensor read back for plain-loop re-computations: `at(n, i, j, k)`. */
export function nhwcReader(t: tf.Tensor4D): {
  shape: [number, number, number, number];
  at(n: number, i: number, j: number, k: number): number;
} {
  const data = t.dataSync();
  const [, h, w, c] = t.shape;
  return { shape: t.shape, at: (n, i, j, k) => data[((n * h + i) * w + j) * c + k]! };
}

/** A gradient method's WGAP classifier on the tiny backbone (2 base channels), trained a few steps on a toy batch. */
export function trainedTinyWgap(
  method: AnyMethod,
  {
    steps = 3,
    hp = {},
    n = 4,
    size = 16,
  }: { steps?: number; hp?: Record<string, unknown>; n?: number; size?: number } = {},
): { model: WgapModel; hp: any; batch: Batch; losses: number[] } {
  const batch = toyBatch(n, size);
  const built = buildOnTiny<WgapModel>(method, { hp, channels: 2 });
  const losses = trainSteps(method, built.model, batch, steps, built.hp, 0.1);
  return { model: built.model, hp: built.hp, batch, losses };
}

/** `localize` on the whole batch and image by image (fresh step contexts), as flat arrays. */
export function batchedAndPerImageMaps(
  method: AnyMethod,
  model: WgapModel,
  images: tf.Tensor4D,
  classes: number[],
  ctx: () => LocalizeContext<any>,
): { batched: Float32Array; perImage: Float32Array; shape: number[] } {
  const maps = method.localize(model, images, classes, ctx());
  const batched = maps.dataSync() as Float32Array;
  const shape = maps.shape;
  maps.dispose();
  const parts: number[] = [];
  for (let i = 0; i < classes.length; i++) {
    const one = tf.tidy(() => method.localize(model, tf.slice(images, i, 1), [classes[i]!], ctx()));
    parts.push(...one.dataSync());
    one.dispose();
  }
  return { batched, perImage: Float32Array.from(parts), shape };
}
