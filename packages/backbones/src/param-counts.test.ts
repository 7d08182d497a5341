import { describeBackbone } from './index.js';

/**
 * Parameter counts of the full-width WSOL forms, derived by hand (README "Parameter counts") from the Keras
 * applications notop totals, which count BN running statistics too:
 *  - VGG16 notop 14,714,688 (13 convs with bias, no BN) + conv6 3*3*512*1024 + 1024 = 4,719,616 -> 19,434,304.
 *  - ResNet50 notop 23,587,712 = 23,534,592 trainable + 53,120 running stats; strides do not change counts.
 *  - InceptionV3 notop 21,802,784 = conv 21,751,136 + BN channels 17,216 x 3 (beta, mean, var; no gamma).
 *    Mixed_7a..7c (24 conv_bn) hold 12,804,096 conv + 7,808 x 3 BN = 12,827,520; the rest is 8,975,264
 *    (conv 8,947,040 + BN channels 9,408). SPG_A3_1b/2b add 3*3*768*1024 + 1024 + 3*3*1024*1024 + 1024 = 16,517,120.
 */
const EXPECTED = {
  vgg16: { total: 14_714_688 + 4_719_616, runningStats: 0, head: 4_719_616 },
  resnet50: { total: 23_587_712, runningStats: 53_120, head: 14_976_000 },
  inceptionv3: { total: 21_802_784 - 12_827_520 + 16_517_120, runningStats: 9_408 * 2, head: 16_517_120 },
} as const;

describe('full-width parameter counts equal the hand derivation', () => {
  it.each(Object.entries(EXPECTED))('%s', (id, e) => {
    const d = describeBackbone(id);
    expect(d.counts.total).toBe(e.total);
    expect(d.counts.runningStats).toBe(e.runningStats);
    expect(d.counts.trainable).toBe(e.total - e.runningStats);
    expect(d.counts.byGroup.head).toBe(e.head);
    expect(d.counts.byGroup.base + d.counts.byGroup.head).toBe(d.counts.trainable);
  });

  it('VGG16: the 13 Keras convs alone are the Keras notop count', () => {
    const d = describeBackbone('vgg16', { until: 'conv5' });
    expect(d.counts.total).toBe(14_714_688);
  });

  it('ResNet50 layer4 (head group) = 3 bottlenecks at 512 planes with biases, BN gamma+beta', () => {
    // block0: 1x1 1024->512, 3x3 512->512, 1x1 512->2048, shortcut 1x1 1024->2048; blocks 1,2: 2048->512->512->2048.
    const conv = (k: number, i: number, o: number) => k * k * i * o + o + 2 * o; // kernel + bias + BN gamma/beta
    const block0 = conv(1, 1024, 512) + conv(3, 512, 512) + conv(1, 512, 2048) + conv(1, 1024, 2048);
    const block = conv(1, 2048, 512) + conv(3, 512, 512) + conv(1, 512, 2048);
    expect(block0 + 2 * block).toBe(EXPECTED.resnet50.head);
  });

  it('width scaling keeps the topology: same parameter names, channels scaled', () => {
    const full = describeBackbone('inceptionv3');
    const small = describeBackbone('inceptionv3:w0.125');
    expect(small.params.map((p) => p.name)).toEqual(full.params.map((p) => p.name));
    const kernels = (ps: typeof full.params) => ps.filter((p) => p.shape.length === 4).map((p) => p.shape.slice(0, 2));
    expect(kernels(small.params)).toEqual(kernels(full.params));
    expect(small.outChannels).toBe(128);
    expect(small.stages.map((s) => s.stride)).toEqual(full.stages.map((s) => s.stride));
  });
});
