import * as tf from '@tensorflow/tfjs-core';
import {
  BatchNorm,
  type BatchNormOptions,
  Conv2d,
  type Conv2dOptions,
  type ForwardContext,
  type ParamGroup,
  type ParamStore,
} from '@wslbench/core';
import { type BackboneSpec, groupOf, scaleChannels } from './spec.js';

/** A Keras layer, by name (with legacy aliases) or, for auto-named layers, by class and creation rank (1-based). */
export type KerasLayerRef =
  | { name: string; aliases?: readonly string[] }
  | { className: 'conv2d' | 'batch_normalization'; ordinal: number };

/** One Keras layer and our parameters in the order Keras stores its weights ([kernel, bias], [gamma, beta, mean, var]). */
export interface KerasBinding {
  ref: KerasLayerRef;
  params: readonly string[];
  /**
   * Set on the first conv: Keras weights expect another input convention ('caffe' BGR 0-255 minus mean, 'tf' [-1, 1]).
   * The loader folds that affine map into this kernel and shifts `shiftParam` (the bias, or the following BN's
   * moving mean with sign -1), so that inputs keep the ImageNet mean/std normalisation of the reference.
   */
  inputConv?: { shiftParam: string; sign: 1 | -1 };
}

/** A run of layers between two hook positions; its output is a tap (and maybe an insertion point / stage). */
export interface Segment {
  name: string;
  /** A second tap name for the same output (e.g. 'layer4' for 'layer4.2'). */
  alias?: string;
  group: ParamGroup;
  outChannels: number;
  /** Stride of the output relative to the input image. */
  stride: number;
  run(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
}

export interface SegmentBody {
  outChannels: number;
  /** Stride of this segment (1 or 2). */
  stride?: number;
  alias?: string;
  run(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
}

/**
 * Builds a backbone top to bottom: scales channels, names and groups parameters, records the Keras bindings,
 * and stops creating layers after the `until` segment (truncated backbones for ACoL/SPG heads).
 */
export class NetBuilder {
  readonly segments: Segment[] = [];
  readonly bindings: KerasBinding[] = [];
  readonly batchNorms: BatchNorm[] = [];
  private group: ParamGroup = 'base';
  private ordinals = { conv2d: 0, batch_normalization: 0 };
  private done = false;
  channels = 3;
  stride = 1;

  constructor(
    readonly spec: BackboneSpec,
    readonly store: ParamStore,
    readonly prefix: string,
    readonly width: number,
    readonly until?: string,
  ) {}

  /** Channels of a layer of the full-width model at this builder's width. */
  ch(c: number): number {
    return scaleChannels(c, this.width);
  }

  segment(name: string, make: (inChannels: number) => SegmentBody): void {
    if (this.done) return;
    this.group = groupOf(this.spec, name);
    const body = make(this.channels);
    this.channels = body.outChannels;
    this.stride *= body.stride ?? 1;
    this.segments.push({
      name,
      alias: body.alias,
      group: this.group,
      outChannels: body.outChannels,
      stride: this.stride,
      run: body.run,
    });
    if (this.until !== undefined && (name === this.until || body.alias === this.until)) this.done = true;
  }

  conv(name: string, opts: Omit<Conv2dOptions, 'group'>, keras?: KerasLayerRef | 'auto'): Conv2d {
    const conv = new Conv2d(this.store, this.prefix + name, { ...opts, group: this.group });
    const ref = keras === 'auto' ? { className: 'conv2d' as const, ordinal: ++this.ordinals.conv2d } : keras;
    if (ref) {
      const params = [`${conv.name}.kernel`];
      if (opts.bias ?? true) params.push(`${conv.name}.bias`); // from the options: a dry layout holds no variables
      this.bindings.push({ ref, params });
    }
    return conv;
  }

  bn(name: string, opts: Omit<BatchNormOptions, 'group'>, keras?: KerasLayerRef | 'auto'): BatchNorm {
    const bn = new BatchNorm(this.store, this.prefix + name, { ...opts, group: this.group });
    this.batchNorms.push(bn);
    const ref =
      keras === 'auto'
        ? { className: 'batch_normalization' as const, ordinal: ++this.ordinals.batch_normalization }
        : keras;
    if (ref) {
      const params = [`${bn.name}.beta`, `${bn.name}.moving_mean`, `${bn.name}.moving_var`];
      if (opts.scale ?? true) params.unshift(`${bn.name}.gamma`);
      this.bindings.push({ ref, params });
    }
    return bn;
  }

  /** Marks the first binding (the input conv) for the preprocessing fold. */
  markInputConv(shiftParam: string, sign: 1 | -1): void {
    const first = this.bindings[0];
    if (first) first.inputConv = { shiftParam, sign };
  }
}

/** Max pool with symmetric padding p (padded cells never win, like PyTorch's -inf padding). */
export function maxPool(x: tf.Tensor4D, k: number, s: number, p: number): tf.Tensor4D {
  return tf.maxPool(x, k, s, p === 0 ? 'valid' : p);
}

/** Symmetric padding that keeps the size for odd kernels at stride 1 ('same'), for [kh, kw] kernels. */
export function samePad(kh: number, kw: number): [[number, number], [number, number]] {
  return [
    [(kh - 1) / 2, (kh - 1) / 2],
    [(kw - 1) / 2, (kw - 1) / 2],
  ];
}
