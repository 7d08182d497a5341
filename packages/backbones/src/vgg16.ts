import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from '@wslbench/core';
import { maxPool, type NetBuilder } from './net.js';
import type { BackboneSpec } from './spec.js';

const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

export const vgg16Spec: BackboneSpec = {
  id: 'vgg16',
  title: 'VGG16 (WSOL 28x28: pool4/pool5 removed, conv6 3x3 512->1024)',
  inputSize: 224,
  cpuDefault: { width: 0.125, inputSize: 64 },
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
  outputStride: 8,
  camLayer: 'conv6',
  // §2.0/§3.1: split at the max-pools; f0 (64@224) exists but the decoder does not use it (tap 'conv1').
  stages: [
    { name: 'f1', segment: 'conv2' },
    { name: 'f2', segment: 'conv3' },
    { name: 'f3', segment: 'conv6' },
  ],
  // §2.2 ADL: [.., 256x3, M, A, 512x3, A, 512x3, A] then conv6.
  insertionPoints: ['pool3', 'conv4', 'conv5'],
  sideTaps: {
    pool3: 'after pool3, 256@/8: SPG_A_1 input',
    conv4: 'conv4_3 + ReLU, 512@/8: SPG_A_1 output (SPG_B_1a input)',
    conv5: 'conv5_3 + ReLU, 512@/8: SPG_A_2 output (SPG_B_2a input); ACoL/SPG heads (until: conv5)',
  },
  // §4: `encoder.features.*` -> lr, conv6 -> 10 lr.
  headSegments: ['conv6'],
  keras: {
    file: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: 'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    preprocessing: 'caffe',
  },
  notes: [
    'pool4 and pool5 removed, conv6 = Conv3x3(512->1024, pad 1) + ReLU added (kaiming normal fan_out init as wsolevaluation, head group).',
    'Keras block{b}_conv{i} -> conv{b}_{i}; all 13 convs pretrained.',
  ],
};

const BLOCKS = [
  [64, 64],
  [128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [512, 512, 512],
] as const;

export function buildVgg16(b: NetBuilder): void {
  BLOCKS.forEach((widths, bi) => {
    const block = bi + 1;
    // pool1..pool3 precede blocks 2..4; pool3 is its own segment because ADL (and SPG) sit right after it.
    if (block === 4) b.segment('pool3', (c) => ({ outChannels: c, stride: 2, run: (x) => maxPool(x, 2, 2, 0) }));
    b.segment(`conv${block}`, (inCh) => {
      let c = inCh;
      const convs = widths.map((w, i) => {
        const conv = b.conv(
          `conv${block}_${i + 1}`,
          { inChannels: c, outChannels: b.ch(w), kernel: 3, padding: 1 },
          {
            name: `block${block}_conv${i + 1}`,
          },
        );
        c = b.ch(w);
        return conv;
      });
      const pooled = block === 2 || block === 3;
      return {
        outChannels: c,
        stride: pooled ? 2 : 1,
        run: (x: tf.Tensor4D) => {
          let y = pooled ? maxPool(x, 2, 2, 0) : x;
          for (const conv of convs) y = tf.relu(conv.apply(y));
          return y;
        },
      };
    });
  });
  b.segment('conv6', (inCh) => {
    // Random init as wsolevaluation's VGG (init_mode='he' = kaiming normal fan_out, bias 0).
    const conv6 = b.conv('conv6', { inChannels: inCh, outChannels: b.ch(1024), kernel: 3, padding: 1 });
    return { outChannels: b.ch(1024), run: (x: tf.Tensor4D, _ctx: ForwardContext) => tf.relu(conv6.apply(x)) };
  });
  b.markInputConv(`${b.prefix}conv1_1.bias`, 1);
}
