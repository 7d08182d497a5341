import * as tf from '@tensorflow/tfjs-core';
import { scaleChannels } from '@wslbench/backbones';
import { type BackboneInstance, Conv2d, type ParamStore } from '@wslbench/core';

export interface ConvStackLayer {
  out: number;
  kernel: 1 | 3;
  relu: boolean;
}

/** A head of 'same'-padded convs (xavier-uniform weights, zero bias, 10x lr group): ACoL's classifiers, SPG's branches. */
export class ConvStack {
  readonly convs: { conv: Conv2d; relu: boolean }[];
  constructor(params: ParamStore, name: string, inChannels: number, layers: readonly ConvStackLayer[]) {
    let c = inChannels;
    this.convs = layers.map((l, i) => {
      const conv = new Conv2d(params, `${name}.${i}`, {
        inChannels: c,
        outChannels: l.out,
        kernel: l.kernel,
        padding: (l.kernel - 1) / 2,
        group: 'head',
        init: { kind: 'xavierUniform' },
      });
      c = l.out;
      return { conv, relu: l.relu };
    });
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    let y = x;
    for (const { conv, relu } of this.convs) {
      y = conv.apply(y);
      if (relu) y = tf.relu(y);
    }
    return y;
  }
}

/** Head width: the reference's 1024 (or an override) scaled by the backbone's width multiplier. */
export function headWidth(channels: number, backbone: BackboneInstance): number {
  return scaleChannels(channels, backbone.width);
}
