import * as tf from '@tensorflow/tfjs-core';
import type { BackboneInstance, BackboneOutput } from '../backbone.js';
import { BatchNorm, Conv2d, type ForwardContext } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';

/**
 * A tiny 3-stage conv net that implements the backbone contract (output stride 4, two insertion points):
 * for method and trainer tests that must not depend on the real backbones.
 */
export function tinyBackbone(params: ParamStore, { channels = 8, prefix = 'encoder.' } = {}): BackboneInstance {
  const c = channels;
  const conv1 = new Conv2d(params, `${prefix}conv1`, { inChannels: 3, outChannels: c, kernel: 3, padding: 1 });
  const bn1 = new BatchNorm(params, `${prefix}bn1`, { channels: c });
  const conv2 = new Conv2d(params, `${prefix}conv2`, {
    inChannels: c,
    outChannels: 2 * c,
    kernel: 3,
    stride: 2,
    padding: 1,
  });
  const conv3 = new Conv2d(params, `${prefix}conv3`, {
    inChannels: 2 * c,
    outChannels: 4 * c,
    kernel: 3,
    stride: 2,
    padding: 1,
  });
  const conv4 = new Conv2d(params, `${prefix}conv4`, {
    inChannels: 4 * c,
    outChannels: 4 * c,
    kernel: 3,
    padding: 1,
    group: 'head',
  });
  return {
    id: 'tiny',
    width: 1,
    outChannels: 4 * c,
    outputStride: 4,
    stages: [
      { name: 'f1', channels: c, stride: 1 },
      { name: 'f2', channels: 2 * c, stride: 2 },
      { name: 'f3', channels: 4 * c, stride: 4 },
    ],
    insertionPoints: ['after_conv2', 'after_conv3'],
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    params,
    prefix,
    forward(x: tf.Tensor4D, ctx: ForwardContext): BackboneOutput {
      const ins = (p: string, t: tf.Tensor4D) => (ctx.insert ? ctx.insert(p, t) : t);
      const f1 = tf.relu(bn1.apply(conv1.apply(x), ctx));
      const f2 = ins('after_conv2', tf.relu(conv2.apply(f1)));
      const f3a = ins('after_conv3', tf.relu(conv3.apply(f2)));
      let features = tf.relu(conv4.apply(f3a));
      if (ctx.tap) features = ctx.tap('cam_layer', features);
      return { features, stages: { f1, f2, f3: features } };
    },
    setBatchNormFrozen(frozen: boolean): void {
      bn1.frozen = frozen;
    },
  };
}
