import * as tf from '@tensorflow/tfjs-core';
import {
  type BackboneInstance,
  BatchNorm,
  Conv2d,
  type ForwardContext,
  type ParamGroup,
  type ParamStore,
} from '@wslbench/core';

/** segmentation_models_pytorch U-Net default decoder channels; a backbone with k stages uses the first k. */
export const BASE_DECODER_CHANNELS = [256, 128, 64, 32, 16] as const;

export interface UnetDecoderOptions {
  /** Name prefix of the decoder's parameters (default 'decoder.'). */
  prefix?: string;
  /** Name prefix of the segmentation head (default 'segmentation_head.'). */
  headPrefix?: string;
  /** Explicit channels per decoder block (deep to shallow); default: BASE_DECODER_CHANNELS scaled. */
  channels?: readonly number[];
  /** Extra multiplier on top of `backbone.width` (tests use small values; 1 = the paper at full width). */
  scale?: number;
  /** CenterBlock (2 x [conv3x3 + BN + ReLU], C -> C) on the deepest stage: reference only for VGG. */
  center?: boolean;
  /** Output channels of the head (2 = background / foreground). */
  outChannels?: number;
  /** Learning-rate group of every decoder and head parameter. */
  group?: ParamGroup;
}

/** Channels of the decoder blocks for a backbone: the first `stages.length` of 256-128-64-32-16, x width x scale. */
export function decoderChannels(backbone: Pick<BackboneInstance, 'stages' | 'width'>, scale = 1): number[] {
  const k = backbone.stages.length;
  if (k < 1) throw new Error('U-Net decoder: the backbone declares no stages');
  if (k > BASE_DECODER_CHANNELS.length) {
    throw new Error(
      `U-Net decoder: ${k} stages, at most ${BASE_DECODER_CHANNELS.length} supported (pass explicit channels)`,
    );
  }
  const m = backbone.width * scale;
  return BASE_DECODER_CHANNELS.slice(0, k).map((c) => (m === 1 ? c : Math.max(2, Math.round(c * m))));
}

/** Conv3x3 (no bias) + BN + ReLU, twice: smp `Conv2dReLU` pairs (DecoderBlock and CenterBlock). */
class DoubleConv {
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm;
  constructor(store: ParamStore, name: string, inChannels: number, outChannels: number, group: ParamGroup) {
    const conv = (n: string, i: number) =>
      new Conv2d(store, `${name}.${n}`, {
        inChannels: i,
        outChannels,
        kernel: 3,
        padding: 1,
        bias: false,
        group,
        init: { kind: 'kaimingUniformFanIn' },
      });
    this.conv1 = conv('conv1', inChannels);
    this.bn1 = new BatchNorm(store, `${name}.bn1`, { channels: outChannels, group });
    this.conv2 = conv('conv2', outChannels);
    this.bn2 = new BatchNorm(store, `${name}.bn2`, { channels: outChannels, group });
  }

  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    const y = tf.relu(this.bn1.apply(this.conv1.apply(x), ctx));
    return tf.relu(this.bn2.apply(this.conv2.apply(y), ctx));
  }
}

/**
 * Nearest-neighbour x2 upsampling (PyTorch `F.interpolate(scale_factor=2, mode='nearest')`: out[i] = in[floor(i/2)]),
 * built from concat + reshape so that its gradient (slices + sums) is exact on every backend; the backends'
 * ResizeNearestNeighborGrad kernels disagree (see the engine's resize-nearest-grad kernel).
 */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const cols = tf.reshape(tf.concat([tf.expandDims(x, 3), tf.expandDims(x, 3)], 3), [n, h, 1, 2 * w, c]);
    return tf.reshape(tf.concat([cols, cols], 2), [n, 2 * h, 2 * w, c]) as tf.Tensor4D;
  });
}

export interface UnetDecoder {
  /** Channels of each decoder block, deep to shallow. */
  readonly channels: readonly number[];
  readonly center: boolean;
  /** Skip stage of each block (undefined for the last block, which has none). */
  readonly skips: readonly (string | undefined)[];
  /**
   * Segmentation logits [N, H, W, outChannels] at the input size, from the backbone's stages.
   * `ctx.training` drives the decoder's batch norms only (the encoder ran already).
   */
  apply(stages: Record<string, tf.Tensor4D>, inputSize: [number, number], ctx: ForwardContext): tf.Tensor4D;
}

/**
 * The NEGEV / U-Net decoder (`UnetNEGEVDecoder`), built generically from the backbone's stages:
 * head = deepest stage (through the CenterBlock for VGG), then one block per remaining stage, deep to shallow,
 * and a last block without skip. Each block: nearest x2; bilinear (align_corners=True) back to the skip size when
 * they differ (stride-1 stages of the WSOL backbones); concat skip; 2 x [conv3x3 + BN + ReLU].
 * Head: conv3x3 -> outChannels, bilinear (align_corners=True) to the input size when the sizes differ.
 */
export function buildUnetDecoder(
  store: ParamStore,
  backbone: Pick<BackboneInstance, 'id' | 'stages' | 'width'>,
  opts: UnetDecoderOptions = {},
): UnetDecoder {
  const prefix = opts.prefix ?? 'decoder.';
  const headPrefix = opts.headPrefix ?? 'segmentation_head.';
  const group = opts.group ?? 'base';
  const stages = backbone.stages;
  const channels = opts.channels ? [...opts.channels] : decoderChannels(backbone, opts.scale ?? 1);
  if (channels.length !== stages.length) {
    throw new Error(
      `U-Net decoder: ${channels.length} block channels for ${stages.length} backbone stages (${stages.map((s) => s.name).join(', ')})`,
    );
  }
  if (channels.some((c) => !Number.isInteger(c) || c < 1))
    throw new Error(`U-Net decoder: invalid channels [${channels}]`);
  const withCenter = opts.center ?? backbone.id === 'vgg16';

  const deepest = stages[stages.length - 1]!;
  // Skips deep to shallow: every stage but the deepest, then none for the last block.
  const skips: (string | undefined)[] = [
    ...stages
      .slice(0, -1)
      .reverse()
      .map((s) => s.name),
    undefined,
  ];
  const skipChannels = [
    ...stages
      .slice(0, -1)
      .reverse()
      .map((s) => s.channels),
    0,
  ];
  const center = withCenter
    ? new DoubleConv(store, `${prefix}center`, deepest.channels, deepest.channels, group)
    : undefined;
  const blocks: DoubleConv[] = [];
  let inCh = deepest.channels;
  for (let i = 0; i < channels.length; i++) {
    blocks.push(new DoubleConv(store, `${prefix}blocks.${i}`, inCh + skipChannels[i]!, channels[i]!, group));
    inCh = channels[i]!;
  }
  const outChannels = opts.outChannels ?? 2;
  const head = new Conv2d(store, `${headPrefix}conv`, {
    inChannels: inCh,
    outChannels,
    kernel: 3,
    padding: 1,
    bias: true,
    group,
    init: { kind: 'xavierUniform' },
  });

  return {
    channels,
    center: withCenter,
    skips,
    apply(stageMaps, inputSize, ctx) {
      const get = (name: string) => {
        const t = stageMaps[name];
        if (!t)
          throw new Error(
            `U-Net decoder: the backbone output has no stage '${name}' (has ${Object.keys(stageMaps).join(', ')})`,
          );
        return t;
      };
      let x = get(deepest.name);
      if (center) x = center.apply(x, ctx);
      for (let i = 0; i < blocks.length; i++) {
        x = upsampleNearest2x(x);
        const skipName = skips[i];
        if (skipName !== undefined) {
          const skip = get(skipName);
          if (x.shape[1] !== skip.shape[1] || x.shape[2] !== skip.shape[2]) {
            x = tf.image.resizeBilinear(x, [skip.shape[1], skip.shape[2]], true);
          }
          x = tf.concat([x, skip], 3);
        }
        x = blocks[i]!.apply(x, ctx);
      }
      let logits = head.apply(x);
      if (logits.shape[1] !== inputSize[0] || logits.shape[2] !== inputSize[1]) {
        logits = tf.image.resizeBilinear(logits, inputSize, true);
      }
      return logits;
    },
  };
}
