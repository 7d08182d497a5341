import type * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from './nn/layers.js';
import type { ParamStore } from './nn/params.js';

/** What a built backbone gives a method. Backbones are data (specs) in @wslbench/backbones; this is the instance. */
export interface BackboneOutput {
  /** The last feature map (the CAM layer's output): e.g. 1024@28x28 for VGG16 at 224. */
  features: tf.Tensor4D;
  /** Decoder stages, shallow to deep, named as the spec lists them (e.g. f1 64@112 ... f5 2048@28). */
  stages: Record<string, tf.Tensor4D>;
}

export interface BackboneInstance {
  /** e.g. 'vgg16', 'resnet50', 'inceptionv3'. */
  readonly id: string;
  /** Width multiplier the instance was built with (1 = the paper's). */
  readonly width: number;
  /** Channels of `features`. */
  readonly outChannels: number;
  /** Input size / feature size (8 for the WSOL forms: 224 -> 28). */
  readonly outputStride: number;
  /** Stage names (shallow to deep) with their channels and strides relative to the input. */
  readonly stages: readonly { name: string; channels: number; stride: number }[];
  /** Names of the insertion points the backbone calls `ctx.insert` at (ADL positions), in order. */
  readonly insertionPoints: readonly string[];
  /** Per-channel normalisation the input must receive (ImageNet mean/std for all, as the reference). */
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** The parameter store the backbone's variables live in (shared with the method's heads). */
  readonly params: ParamStore;
  /** Prefix of every backbone parameter name (e.g. 'encoder.'). */
  readonly prefix: string;
  forward(x: tf.Tensor4D, ctx: ForwardContext): BackboneOutput;
  /**
   * Freeze every batch norm (running statistics used and never updated, even in training mode): a method that keeps
   * a trained encoder fixed (NEGEV's classifier) calls it. A backbone without batch norm does nothing.
   */
  setBatchNormFrozen(frozen: boolean): void;
}

export interface BackboneFactoryOptions {
  width?: number;
  /** Store to create variables in (methods pass theirs so that heads and encoder share one store). */
  params: ParamStore;
  prefix?: string;
}
