import * as tf from '@tensorflow/tfjs-core';
import type { BatchNorm, Conv2d, ForwardContext } from '@wslbench/core';
import { type KerasLayerRef, maxPool, type NetBuilder } from './net.js';
import type { BackboneSpec } from './spec.js';

/** Keras ResNet50 BatchNormalization epsilon. */
const BN_EPS = 1.001e-5;

export const resnet50Spec: BackboneSpec = {
  id: 'resnet50',
  title: 'ResNet50 v1 (Keras: stride on the first 1x1), layer3 and layer4 at stride 1',
  inputSize: 224,
  cpuDefault: { width: 0.125, inputSize: 64 },
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  outputStride: 8,
  camLayer: 'layer4',
  stages: [
    { name: 'f1', segment: 'stem' },
    { name: 'f2', segment: 'layer1.2' },
    { name: 'f3', segment: 'layer2.3' },
    { name: 'f4', segment: 'layer3.5' },
    { name: 'f5', segment: 'layer4.2' },
  ],
  // §2.2 ADL _ADL_POSITION = [[],[],[],[0],[0,2]]: after block 0 of layer3, blocks 0 and 2 of layer4.
  insertionPoints: ['layer3.0', 'layer4.0', 'layer4.2'],
  sideTaps: {
    layer2: 'end of layer2, 512@/8',
    layer3: 'end of layer3, 1024@/8 (stride 1)',
    layer4: 'end of layer4, 2048@/8: the CAM layer; ACoL heads read it',
  },
  // §4: `encoder.layer4.` -> 10 lr, the rest -> lr.
  headSegments: ['layer4.0', 'layer4.1', 'layer4.2'],
  keras: {
    file: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: 'https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    preprocessing: 'caffe',
  },
  notes: [
    'Keras ResNet50 is v1: the stride of a down-sampling block is on its first 1x1 conv (and the 1x1 shortcut);',
    'torchvision (the reference) is v1.5 (stride on the 3x3). We implement v1 so that the Keras weights fit.',
    'layer3 and layer4 have stride 1 (2048@28 at 224). Convs have biases; BN epsilon 1.001e-5 as Keras.',
  ],
};

const LAYERS = [
  { planes: 64, blocks: 3, stride: 1 },
  { planes: 128, blocks: 4, stride: 2 },
  { planes: 256, blocks: 6, stride: 1 }, // stride 2 in ResNet50; 1 in the WSOL form
  { planes: 512, blocks: 3, stride: 1 }, // idem
] as const;

/** Keras names: TF2 `conv{s}_block{b}_{i}_conv` with the keras-applications <= 1.0.7 names as aliases. */
function kerasRef(stage: number, block: number, branch: 0 | 1 | 2 | 3, kind: 'conv' | 'bn'): KerasLayerRef {
  const legacyBranch = branch === 0 ? '1' : `2${'abc'[branch - 1]}`;
  const letter = 'abcdef'[block]!;
  const legacy =
    kind === 'conv' ? `res${stage}${letter}_branch${legacyBranch}` : `bn${stage}${letter}_branch${legacyBranch}`;
  return { name: `conv${stage}_block${block + 1}_${branch}_${kind}`, aliases: [legacy] };
}

interface ConvBn {
  conv: Conv2d;
  bn: BatchNorm;
}

export function buildResnet50(b: NetBuilder): void {
  b.segment('stem', () => {
    const conv = b.conv(
      'conv1',
      { inChannels: 3, outChannels: b.ch(64), kernel: 7, stride: 2, padding: 3 },
      {
        name: 'conv1_conv',
        aliases: ['conv1'],
      },
    );
    const bn = b.bn('bn1', { channels: b.ch(64), epsilon: BN_EPS }, { name: 'conv1_bn', aliases: ['bn_conv1'] });
    return {
      outChannels: b.ch(64),
      stride: 2,
      run: (x: tf.Tensor4D, ctx: ForwardContext) => tf.relu(bn.apply(conv.apply(x), ctx)),
    };
  });
  LAYERS.forEach(({ planes, blocks, stride }, li) => {
    const stage = li + 2;
    for (let bi = 0; bi < blocks; bi++) {
      const name = `layer${li + 1}.${bi}`;
      b.segment(name, (inCh) => {
        const p = b.ch(planes);
        const out = b.ch(planes * 4);
        const s = bi === 0 ? stride : 1;
        // The stem's 3x3/2 max pool (Keras: ZeroPadding2D(1) + valid pool, same as padding 1) opens layer1, so f1 is pre-pool.
        const pool = li === 0 && bi === 0;
        const unit = (i: 0 | 1 | 2 | 3, cin: number, cout: number, k: number, st: number): ConvBn => ({
          conv: b.conv(
            `${name}.${i === 0 ? 'downsample.conv' : `conv${i}`}`,
            { inChannels: cin, outChannels: cout, kernel: k, stride: st, padding: (k - 1) / 2 },
            kerasRef(stage, bi, i, 'conv'),
          ),
          bn: b.bn(
            `${name}.${i === 0 ? 'downsample.bn' : `bn${i}`}`,
            { channels: cout, epsilon: BN_EPS },
            kerasRef(stage, bi, i, 'bn'),
          ),
        });
        // Keras creates the shortcut (_0_) first in each first block.
        const shortcut = bi === 0 ? unit(0, inCh, out, 1, s) : undefined;
        const u1 = unit(1, inCh, p, 1, s);
        const u2 = unit(2, p, p, 3, 1);
        const u3 = unit(3, p, out, 1, 1);
        const apply = (u: ConvBn, x: tf.Tensor4D, ctx: ForwardContext) => u.bn.apply(u.conv.apply(x), ctx);
        return {
          outChannels: out,
          stride: pool ? 2 * s : s,
          alias: bi === blocks - 1 ? `layer${li + 1}` : undefined,
          run: (input: tf.Tensor4D, ctx: ForwardContext) => {
            const x = pool ? maxPool(input, 3, 2, 1) : input;
            const identity = shortcut ? apply(shortcut, x, ctx) : x;
            let y = tf.relu(apply(u1, x, ctx));
            y = tf.relu(apply(u2, y, ctx));
            y = apply(u3, y, ctx);
            return tf.relu(tf.add<tf.Tensor4D>(y, identity));
          },
        };
      });
    }
  });
  b.markInputConv(`${b.prefix}conv1.bias`, 1);
}
