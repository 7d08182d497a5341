import * as tf from '@tensorflow/tfjs-core';
import type { BackboneInstance, BuildContext, ForwardContext, MethodModel } from '@wslbench/core';
import { ConvStack, globalAveragePool, headWidth } from '@wslbench/heads';

/** Default side-branch inputs (SPG_B_1a, SPG_B_2a): two intermediate features at the CAM layer's resolution. */
export const DEFAULT_SIDE_TAPS: Readonly<Record<string, readonly [string, string]>> = {
  vgg16: ['conv4', 'conv5'],
  resnet50: ['layer2', 'layer3'],
  inceptionv3: ['Mixed_5d', 'Mixed_6e'],
};

/** The configured taps, else the table's, else the two stages before the last (e.g. the tiny test backbone). */
export function sideTapsFor(backbone: BackboneInstance, override?: readonly string[]): [string, string] {
  if (override) return [override[0]!, override[1]!];
  const known = DEFAULT_SIDE_TAPS[backbone.id];
  if (known) return [known[0], known[1]];
  const st = backbone.stages;
  if (st.length < 3)
    throw new Error(`SPG: backbone '${backbone.id}' has ${st.length} stages; give sideTaps explicitly`);
  return [st[st.length - 3]!.name, st[st.length - 2]!.name];
}

export interface SpgOutput {
  /** SPG-A class maps [N, h, w, C] and their GAP logits. */
  maps: tf.Tensor4D;
  logits: tf.Tensor2D;
  /** Side-branch and SPG-C attention logits, [N, h_i, w_i, 1]. */
  b1: tf.Tensor4D;
  b2: tf.Tensor4D;
  c: tf.Tensor4D;
}

export interface SpgModel extends MethodModel {
  readonly sideTaps: readonly [string, string];
  readonly classifier: ConvStack;
  forward(images: tf.Tensor4D, ctx: ForwardContext): SpgOutput;
  /** Only the SPG-A path (inference: maps and logits). */
  classMaps(images: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
}

/** Run the backbone, also returning the named taps / stages. */
function forwardWithTaps(
  backbone: BackboneInstance,
  images: tf.Tensor4D,
  ctx: ForwardContext,
  names: readonly string[],
) {
  const taps: Record<string, tf.Tensor4D> = {};
  const outer = ctx.tap;
  const out = backbone.forward(images, {
    ...ctx,
    tap: (name, x) => {
      const y = outer ? outer(name, x) : x;
      if (names.includes(name)) taps[name] = y;
      return y;
    },
  });
  const pick = (name: string) => {
    const t = taps[name] ?? out.stages[name];
    if (!t) throw new Error(`SPG: backbone '${backbone.id}' has no tap or stage '${name}'`);
    return t;
  };
  return { features: out.features, side: names.map(pick) };
}

/** Channels of the side taps, from a forward pass on a small zero image (inference mode: no state changes). */
function probeChannels(backbone: BackboneInstance, names: readonly string[]): number[] {
  const size = Math.max(16, 2 * backbone.outputStride);
  return tf.tidy(() =>
    forwardWithTaps(backbone, tf.zeros([1, size, size, 3]), { training: false }, names).side.map((t) => t.shape[3]),
  );
}

export function buildSpg(
  backbone: BackboneInstance,
  ctx: BuildContext<{ headChannels: number; sideTaps?: string[] | undefined }>,
): SpgModel {
  const sideTaps = sideTapsFor(backbone, ctx.hp.sideTaps);
  const [ch1, ch2] = probeChannels(backbone, sideTaps);
  const hb = headWidth(ctx.hp.headChannels, backbone);
  const p = ctx.params;
  // SPG_A_4: 1x1 conv to class maps on the final features (the backbone's last added convs play SPG_A_3).
  const classifier = new ConvStack(p, 'SPG_A_4', backbone.outChannels, [
    { out: ctx.numClasses, kernel: 1, relu: false },
  ]);
  const b1a = new ConvStack(p, 'SPG_B_1a', ch1!, [{ out: hb, kernel: 3, relu: true }]);
  const b2a = new ConvStack(p, 'SPG_B_2a', ch2!, [{ out: hb, kernel: 3, relu: true }]);
  const bShared = new ConvStack(p, 'SPG_B_shared', hb, [
    { out: hb, kernel: 3, relu: true },
    { out: 1, kernel: 1, relu: false },
  ]);
  const spgC = new ConvStack(p, 'SPG_C', backbone.outChannels, [
    { out: hb, kernel: 3, relu: true },
    { out: 1, kernel: 1, relu: false },
  ]);
  return {
    backbone,
    params: p,
    sideTaps,
    classifier,
    forward(images, fctx) {
      const { features, side } = forwardWithTaps(backbone, images, fctx, sideTaps);
      const maps = classifier.apply(features);
      return {
        maps,
        logits: globalAveragePool(maps),
        b1: bShared.apply(b1a.apply(side[0]!)),
        b2: bShared.apply(b2a.apply(side[1]!)),
        c: spgC.apply(features),
      };
    },
    classMaps(images, fctx) {
      return classifier.apply(backbone.forward(images, fctx).features);
    },
    dispose() {
      p.dispose();
    },
  };
}
