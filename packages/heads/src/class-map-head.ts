import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, type ParamStore } from '@wslbench/core';

export interface ClassMapHeadOptions {
  inChannels: number;
  numClasses: number;
  /** One extra map (index 0) for the background, as the reference's `support_background`. */
  supportBackground?: boolean;
  /** WILDCAT: maps per class, averaged into one class map (1 = plain 1x1-conv head). */
  modalities?: number;
  name?: string;
}

/**
 * The reference's built-in-CAM head (`dlib/poolings`): a 1x1 conv from the last feature map to K = C (+1) class
 * maps (x m modalities, averaged class-wise as WILDCAT's ClassWisePooling). Xavier-uniform weights, zero bias,
 * in the 10x-lr 'head' group. Output [N, h, w, K]; map 0 is the background when `supportBackground`.
 */
export class ClassMapHead {
  readonly conv: Conv2d;
  readonly numMaps: number;
  readonly modalities: number;
  readonly supportBackground: boolean;

  constructor(params: ParamStore, opts: ClassMapHeadOptions) {
    this.supportBackground = opts.supportBackground ?? false;
    this.modalities = opts.modalities ?? 1;
    if (!Number.isInteger(this.modalities) || this.modalities < 1)
      throw new Error(`ClassMapHead: modalities must be a positive integer, got ${opts.modalities}`);
    if (!Number.isInteger(opts.numClasses) || opts.numClasses < 1)
      throw new Error(`ClassMapHead: numClasses must be a positive integer, got ${opts.numClasses}`);
    this.numMaps = opts.numClasses + (this.supportBackground ? 1 : 0);
    this.conv = new Conv2d(params, opts.name ?? 'classification_head.conv', {
      inChannels: opts.inChannels,
      outChannels: this.numMaps * this.modalities,
      kernel: 1,
      padding: 'valid',
      group: 'head',
      init: { kind: 'xavierUniform' },
    });
  }

  apply(features: tf.Tensor4D): tf.Tensor4D {
    const out = this.conv.apply(features);
    if (this.modalities === 1) return out;
    // Channel j of class c is c*m + j (PyTorch view(N, K, m, h, w)): same order in NHWC.
    const [n, h, w] = out.shape;
    return tf.mean(tf.reshape(out, [n, h, w, this.numMaps, this.modalities]), 4) as tf.Tensor4D;
  }
}
