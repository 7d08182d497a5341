import * as tf from '@tensorflow/tfjs-core';
import {
  type AnyMethod,
  buildOnTiny,
  disposeBatch,
  type MethodModel,
  stepContext,
  toyBatch,
  trainSteps,
} from '@wslbench/core';

export interface ToyCheckResult {
  losses: number[];
  mapShape: number[];
  mapMin: number;
  mapMax: number;
  logitsShape: number[];
  /** Tensors alive after training steps + two localize/classify rounds, minus those alive before. */
  leakedTensors: number;
}

/**
 * The end-to-end check every method test runs (as methods/cam's test): build on the tiny backbone, a few SGD steps
 * on the toy batch, maps for given classes, logits, and the tensor count before/after. Returns the numbers;
 * the test asserts on them. By default the backbone is frozen, so the steps train the method's own head only:
 * the CPU backend's Conv2DBackpropFilter takes seconds even on the tiny backbone.
 */
export function toyCheck(
  method: AnyMethod,
  { hp = {}, steps = 15, lr = 0.1, n = 8, size = 16, trainBackbone = false } = {},
): ToyCheckResult {
  const batch = toyBatch(n, size);
  const { model, hp: parsed } = buildOnTiny<MethodModel>(method, { hp, inputSize: size });
  if (!trainBackbone) model.params.setTrainable(model.backbone.prefix, false);
  const before = tf.memory().numTensors;
  const losses = trainSteps(method, model, batch, steps, parsed, lr);
  const classes = Array.from({ length: n }, (_, i) => (i * 7) % 2);
  let result: Omit<ToyCheckResult, 'losses' | 'leakedTensors'> | undefined;
  for (let round = 0; round < 2; round++) {
    const maps = method.localize(model, batch.images, classes, stepContext(parsed)) as tf.Tensor3D;
    const logits = method.classify(model, batch.images) as tf.Tensor2D;
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
  return { losses, leakedTensors, ...result! };
}

/**
 * What every class-map method must show on the toy task (loss falls, maps [N, 4, 4] in [0, 1], logits [N, 2], no
 * leaked tensor), as the list of the expectations that fail: a test asserts it is empty.
 */
export function toyCheckFailures(r: ToyCheckResult, { n = 8, mapSize = 4, numClasses = 2 } = {}): string[] {
  const failures: string[] = [];
  const first = r.losses[0]!;
  const last = r.losses[r.losses.length - 1]!;
  if (!(last < first)) failures.push(`loss did not fall: ${first} -> ${last}`);
  if (JSON.stringify(r.mapShape) !== JSON.stringify([n, mapSize, mapSize])) failures.push(`map shape ${r.mapShape}`);
  if (JSON.stringify(r.logitsShape) !== JSON.stringify([n, numClasses])) failures.push(`logits shape ${r.logitsShape}`);
  if (!(r.mapMin >= 0)) failures.push(`map minimum ${r.mapMin} < 0`);
  if (!(r.mapMax <= 1)) failures.push(`map maximum ${r.mapMax} > 1`);
  if (r.leakedTensors !== 0) failures.push(`${r.leakedTensors} leaked tensors`);
  return failures;
}
