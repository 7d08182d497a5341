import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch } from '../data-types.js';
import type { AnyMethod, BuildContext, MethodModel } from '../method.js';
import { buildOnTiny, stepContext, toyBatch, trainSteps } from './method-harness.js';

export interface ToyCheckResult {
  losses: number[];
  mapShape: number[];
  mapMin: number;
  mapMax: number;
  logitsShape: number[];
  /** Tensors alive after training steps + two localize/classify rounds, minus those alive before. */
  leakedTensors: number;
}

export interface ToyCheckOptions {
  hp?: Record<string, unknown>;
  steps?: number;
  lr?: number;
  n?: number;
  size?: number;
  /** Train the tiny backbone too (default: frozen, the method's own head only — see `toyCheck`). */
  trainBackbone?: boolean;
  /** Class-0 images without a foreground square (NEGEV's fully negative samples). */
  negatives?: boolean;
  /** Weights of a prerequisite run (requirements.classifierFrom), e.g. NEGEV's CAM classifier. */
  pretrained?: BuildContext<unknown>['pretrained'];
}

/**
 * The end-to-end run behind every method test's toy check: build on the tiny backbone, a few SGD steps on the toy
 * batch, maps for given classes, logits, and the tensor count before/after. Returns the numbers. By default the
 * backbone is frozen, so the steps train the method's own head only: the CPU backend's Conv2DBackpropFilter takes
 * seconds even on the tiny backbone.
 */
export function toyCheck(
  method: AnyMethod,
  {
    hp = {},
    steps = 15,
    lr = 0.1,
    n = 8,
    size = 16,
    trainBackbone = false,
    negatives = false,
    pretrained,
  }: ToyCheckOptions = {},
): ToyCheckResult {
  const batch = toyBatch(n, size, 0, { negatives });
  const { model, hp: parsed } = buildOnTiny<MethodModel>(method, {
    hp,
    inputSize: size,
    ...(pretrained ? { pretrained } : {}),
  });
  if (!trainBackbone) model.params.setTrainable(model.backbone.prefix, false);
  const before = tf.memory().numTensors;
  const losses = trainSteps(method, model, batch, steps, parsed, lr);
  const classes = Array.from({ length: n }, (_, i) => (i * 7) % 2);
  let result: Omit<ToyCheckResult, 'losses' | 'leakedTensors'> = {
    mapShape: [],
    mapMin: Number.NaN,
    mapMax: Number.NaN,
    logitsShape: [],
  };
  for (let round = 0; round < 2; round++) {
    const maps = method.localize(model, batch.images, classes, stepContext(parsed));
    const logits = method.classify(model, batch.images);
    const v = maps.dataSync();
    let mapMin = Number.POSITIVE_INFINITY;
    let mapMax = Number.NEGATIVE_INFINITY;
    for (const x of v) {
      mapMin = Math.min(mapMin, x);
      mapMax = Math.max(mapMax, x);
    }
    result = { mapShape: maps.shape.slice(), mapMin, mapMax, logitsShape: logits.shape.slice() };
    tf.dispose([maps, logits]);
  }
  const leakedTensors = tf.memory().numTensors - before;
  model.dispose();
  disposeBatch(batch);
  return { losses, leakedTensors, ...result };
}

export interface ToyExpectations {
  n?: number;
  /** Side of the maps `localize` returns: the tiny backbone's feature size (4) or the input size (decoders). */
  mapSize?: number;
  numClasses?: number;
  /** Losses averaged over this many first / last steps before comparing (noisy losses: HaS, CutMix, ADL). */
  lossWindow?: number;
}

/**
 * What every method must show on the toy task (loss falls, maps [N, s, s] in [0, 1], logits [N, 2], no leaked
 * tensor), as the list of the expectations that fail: a test asserts it is empty.
 */
export function toyCheckFailures(
  r: ToyCheckResult,
  { n = 8, mapSize = 4, numClasses = 2, lossWindow = 1 }: ToyExpectations = {},
): string[] {
  const failures: string[] = [];
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const first = mean(r.losses.slice(0, lossWindow));
  const last = mean(r.losses.slice(-lossWindow));
  if (!r.losses.every(Number.isFinite)) failures.push(`non-finite loss: ${r.losses.join(', ')}`);
  if (!(last < first)) failures.push(`loss did not fall: ${first} -> ${last}`);
  if (JSON.stringify(r.mapShape) !== JSON.stringify([n, mapSize, mapSize])) failures.push(`map shape ${r.mapShape}`);
  if (JSON.stringify(r.logitsShape) !== JSON.stringify([n, numClasses])) failures.push(`logits shape ${r.logitsShape}`);
  if (!(r.mapMin >= 0)) failures.push(`map minimum ${r.mapMin} < 0`);
  if (!(r.mapMax <= 1)) failures.push(`map maximum ${r.mapMax} > 1`);
  if (r.leakedTensors !== 0) failures.push(`${r.leakedTensors} leaked tensors`);
  return failures;
}

/**
 * The check every method test calls: "learns the toy task and releases its tensors" (`toyCheck` then
 * `toyCheckFailures`). Returns the failed expectations; `expect(learnsToyTask(method)).toEqual([])`.
 */
export function learnsToyTask(method: AnyMethod, opts: ToyCheckOptions & ToyExpectations = {}): string[] {
  const { mapSize, numClasses, lossWindow, ...run } = opts;
  return toyCheckFailures(toyCheck(method, run), {
    n: run.n ?? 8,
    ...(mapSize !== undefined ? { mapSize } : {}),
    ...(numClasses !== undefined ? { numClasses } : {}),
    ...(lossWindow !== undefined ? { lossWindow } : {}),
  });
}
