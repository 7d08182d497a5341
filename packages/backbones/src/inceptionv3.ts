import * as tf from '@tensorflow/tfjs-core';
import { dropout, type ForwardContext } from '@wslbench/core';
import { maxPool, type NetBuilder, samePad } from './net.js';
import type { BackboneSpec } from './spec.js';

/** Keras InceptionV3 BatchNormalization: epsilon 1e-3, scale=False (no gamma); convs have no bias. */
const BN_EPS = 1e-3;

export const inceptionv3Spec: BackboneSpec = {
  id: 'inceptionv3',
  title: 'InceptionV3 (WSOL 28x28: Mixed_6a stride 1, Mixed_7* removed, 2x Dropout+Conv3x3(->1024)+ReLU)',
  inputSize: 224,
  cpuDefault: { width: 0.125, inputSize: 64 },
  // The reference normalises Inception with the ImageNet mean/std too (§4).
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  outputStride: 8,
  camLayer: 'SPG_A3_2b',
  // §2.0: stages (idx 3, 5, 9, 15): f1 64@/2, f2 80@/4, f3 288@/8, f4 768@/8, f5 1024@/8.
  stages: [
    { name: 'f1', segment: 'Conv2d_2b_3x3' },
    { name: 'f2', segment: 'Conv2d_3b_1x1' },
    { name: 'f3', segment: 'Mixed_5d' },
    { name: 'f4', segment: 'Mixed_6e' },
    { name: 'f5', segment: 'SPG_A3_2b' },
  ],
  // §2.2 ADL: after Mixed_5d, Mixed_6e and SPG_A3_2b.
  insertionPoints: ['Mixed_5d', 'Mixed_6e', 'SPG_A3_2b'],
  sideTaps: {
    Mixed_5d: '288@/8',
    Mixed_6e: '768@/8: ACoL / SPG heads (until: Mixed_6e)',
    SPG_A3_1b: 'first added conv, 1024@/8',
  },
  // §4: Mixed*, Conv2d_1..4* -> lr; the added SPG_A3 convs -> 10 lr.
  headSegments: ['SPG_A3_1b', 'SPG_A3_2b'],
  keras: {
    file: 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: 'https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
    preprocessing: 'tf',
  },
  notes: [
    'Every 3x3 conv and max pool is padded by 1 (NEGEV encoder), pools k3 s2 p1 in floor mode: n -> n/2 for even n.',
    '(The reference notes say ceil_mode; with Conv2d_2a/4a padded that would give 57/29 at 224, not 56/28.)',
    'Mixed_6a at stride 1 (its 3x3 convs and max pool: stride 1, pad 1); Mixed_7a..7c removed.',
    'SPG_A3_1b/2b = Dropout(0.5) + Conv3x3(->1024, bias) + ReLU, xavier uniform init (head group).',
    "branch_pool average pools exclude padding (Keras 'same'); torchvision counts it (count_include_pad).",
    'Keras conv2d_N / batch_normalization_N are matched by creation rank (Keras creates them in this order).',
  ],
};

interface Unit {
  apply(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D;
}

/** BasicConv2d: conv (no bias) + BN (no gamma, eps 1e-3) + ReLU, Keras `conv2d_bn`. */
function convBn(
  b: NetBuilder,
  name: string,
  cin: number,
  cout: number,
  k: number | [number, number],
  stride = 1,
): Unit {
  const [kh, kw] = typeof k === 'number' ? [k, k] : k;
  const conv = b.conv(
    `${name}.conv`,
    { inChannels: cin, outChannels: cout, kernel: [kh, kw], stride, padding: samePad(kh, kw), bias: false },
    'auto',
  );
  const bn = b.bn(`${name}.bn`, { channels: cout, epsilon: BN_EPS, scale: false }, 'auto');
  return { apply: (x, ctx) => tf.relu(bn.apply(conv.apply(x), ctx)) };
}

function chain(units: Unit[], x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
  return units.reduce((y, u) => u.apply(y, ctx), x);
}

/** Keras AveragePooling2D(3, 1, 'same'): the padded cells are not counted. */
function avgPool3(x: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(x, 3, 1, 'same');
}

export function buildInceptionv3(b: NetBuilder): void {
  const stem = (name: string, cout: number, k: number, stride = 1, poolFirst = false) =>
    b.segment(name, (cin) => {
      const u = convBn(b, name, cin, b.ch(cout), k, stride);
      return {
        outChannels: b.ch(cout),
        stride: stride * (poolFirst ? 2 : 1),
        run: (x, ctx) => u.apply(poolFirst ? maxPool(x, 3, 2, 1) : x, ctx),
      };
    });
  stem('Conv2d_1a_3x3', 32, 3, 2);
  stem('Conv2d_2a_3x3', 32, 3);
  stem('Conv2d_2b_3x3', 64, 3);
  stem('Conv2d_3b_1x1', 80, 1, 1, true); // after maxpool1
  stem('Conv2d_4a_3x3', 192, 3);

  // InceptionA (Mixed_5b..5d); Mixed_5b also holds maxpool2.
  const inceptionA = (name: string, poolCh: number, poolFirst: boolean) =>
    b.segment(name, (cin) => {
      const n = (s: string) => `${name}.${s}`;
      const b1 = [convBn(b, n('branch1x1'), cin, b.ch(64), 1)];
      const b5 = [convBn(b, n('branch5x5_1'), cin, b.ch(48), 1), convBn(b, n('branch5x5_2'), b.ch(48), b.ch(64), 5)];
      const b3 = [
        convBn(b, n('branch3x3dbl_1'), cin, b.ch(64), 1),
        convBn(b, n('branch3x3dbl_2'), b.ch(64), b.ch(96), 3),
        convBn(b, n('branch3x3dbl_3'), b.ch(96), b.ch(96), 3),
      ];
      const bp = [convBn(b, n('branch_pool'), cin, b.ch(poolCh), 1)];
      return {
        outChannels: b.ch(64) + b.ch(64) + b.ch(96) + b.ch(poolCh),
        stride: poolFirst ? 2 : 1,
        run: (input, ctx) => {
          const x = poolFirst ? maxPool(input, 3, 2, 1) : input;
          return tf.concat([chain(b1, x, ctx), chain(b5, x, ctx), chain(b3, x, ctx), chain(bp, avgPool3(x), ctx)], 3);
        },
      };
    });
  inceptionA('Mixed_5b', 32, true);
  inceptionA('Mixed_5c', 64, false);
  inceptionA('Mixed_5d', 64, false);

  // InceptionB (Mixed_6a) at stride 1 with padded 3x3s: the WSOL change that keeps 28x28.
  b.segment('Mixed_6a', (cin) => {
    const b3 = [convBn(b, 'Mixed_6a.branch3x3', cin, b.ch(384), 3)];
    const bd = [
      convBn(b, 'Mixed_6a.branch3x3dbl_1', cin, b.ch(64), 1),
      convBn(b, 'Mixed_6a.branch3x3dbl_2', b.ch(64), b.ch(96), 3),
      convBn(b, 'Mixed_6a.branch3x3dbl_3', b.ch(96), b.ch(96), 3),
    ];
    return {
      outChannels: b.ch(384) + b.ch(96) + cin,
      run: (x, ctx) => tf.concat([chain(b3, x, ctx), chain(bd, x, ctx), maxPool(x, 3, 1, 1)], 3),
    };
  });

  // InceptionC (Mixed_6b..6e), 7x7 factorised as 1x7 / 7x1 ([kh, kw]).
  const inceptionC = (name: string, c7: number) =>
    b.segment(name, (cin) => {
      const n = (s: string) => `${name}.${s}`;
      const c = b.ch(c7);
      const b1 = [convBn(b, n('branch1x1'), cin, b.ch(192), 1)];
      const b7 = [
        convBn(b, n('branch7x7_1'), cin, c, 1),
        convBn(b, n('branch7x7_2'), c, c, [1, 7]),
        convBn(b, n('branch7x7_3'), c, b.ch(192), [7, 1]),
      ];
      const bd = [
        convBn(b, n('branch7x7dbl_1'), cin, c, 1),
        convBn(b, n('branch7x7dbl_2'), c, c, [7, 1]),
        convBn(b, n('branch7x7dbl_3'), c, c, [1, 7]),
        convBn(b, n('branch7x7dbl_4'), c, c, [7, 1]),
        convBn(b, n('branch7x7dbl_5'), c, b.ch(192), [1, 7]),
      ];
      const bp = [convBn(b, n('branch_pool'), cin, b.ch(192), 1)];
      return {
        outChannels: 4 * b.ch(192),
        run: (x, ctx) =>
          tf.concat([chain(b1, x, ctx), chain(b7, x, ctx), chain(bd, x, ctx), chain(bp, avgPool3(x), ctx)], 3),
      };
    });
  inceptionC('Mixed_6b', 128);
  inceptionC('Mixed_6c', 160);
  inceptionC('Mixed_6d', 160);
  inceptionC('Mixed_6e', 192);

  // The two added layers (random, xavier): Dropout(0.5) + Conv3x3(->1024) + ReLU.
  for (const name of ['SPG_A3_1b', 'SPG_A3_2b']) {
    b.segment(name, (cin) => {
      const conv = b.conv(name, {
        inChannels: cin,
        outChannels: b.ch(1024),
        kernel: 3,
        padding: 1,
        init: { kind: 'xavierUniform' },
      });
      return { outChannels: b.ch(1024), run: (x, ctx) => tf.relu(conv.apply(dropout(x, 0.5, ctx))) };
    });
  }
  b.markInputConv(`${b.prefix}Conv2d_1a_3x3.bn.moving_mean`, -1);
}
