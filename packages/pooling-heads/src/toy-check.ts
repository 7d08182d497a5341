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
