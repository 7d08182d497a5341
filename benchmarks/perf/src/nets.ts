import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm, Conv2d, Dense, dropout, type ForwardContext, ParamStore, type Rng } from '@wslbench/core';

/** A trainable benchmark net: forward to logits, plus the analytic FLOPs of one training step. */
export interface BenchNet {
  name: string;
  store: ParamStore;
  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D;
  /** Multiply-adds x2 of every conv/dense forward, backward-to-input and backward-to-weights, for one batch. */
  stepFlops(inputShape: [number, number, number, number]): number;
}

/** Records conv/dense shapes during a forward pass so that FLOPs follow the real geometry. */
class FlopTape {
  private perImage = 0;
  private firstLayerBackwardSkip = 0;
  private seenFirst = false;
  recordConv(y: tf.Tensor4D, kh: number, kw: number, ci: number): void {
    const fwd = 2 * y.shape[1] * y.shape[2] * kh * kw * ci * y.shape[3];
    this.perImage += 3 * fwd;
    // The first layer needs no gradient with respect to the input image.
    if (!this.seenFirst) {
      this.firstLayerBackwardSkip = fwd;
      this.seenFirst = true;
    }
  }
  recordDense(inF: number, outF: number): void {
    this.perImage += 3 * 2 * inF * outF;
  }
  total(batch: number): number {
    return batch * (this.perImage - this.firstLayerBackwardSkip);
  }
}

function conv(
  store: ParamStore,
  tape: () => FlopTape | null,
  name: string,
  ci: number,
  co: number,
  k: number | [number, number],
  stride = 1,
  padding: 'same' | 'valid' = 'same',
  bias = true,
) {
  const layer = new Conv2d(store, name, { inChannels: ci, outChannels: co, kernel: k, stride, padding, bias });
  const [kh, kw] = typeof k === 'number' ? [k, k] : k;
  return (x: tf.Tensor4D): tf.Tensor4D => {
    const y = layer.apply(x);
    tape()?.recordConv(y, kh, kw, ci);
    return y;
  };
}

function makeFlops(net: (x: tf.Tensor4D, ctx: ForwardContext) => tf.Tensor2D, setTape: (t: FlopTape | null) => void) {
  return (shape: [number, number, number, number]): number => {
    const tape = new FlopTape();
    setTape(tape);
    tf.tidy(() => {
      net(tf.zeros([1, shape[1], shape[2], shape[3]]) as tf.Tensor4D, { training: false });
    });
    setTape(null);
    return tape.total(shape[0]);
  };
}

/** VGG style: two 3x3 conv + ReLU per stage, max-pool after each stage, global average pool, dense. */
export function vggStyleNet(rng: Rng, { widths = [32, 64, 128, 256], classes = 2, inChannels = 3 } = {}): BenchNet {
  const store = new ParamStore(rng);
  let tape: FlopTape | null = null;
  const t = () => tape;
  const convs: ((x: tf.Tensor4D) => tf.Tensor4D)[][] = [];
  let ci = inChannels;
  widths.forEach((w, s) => {
    convs.push([conv(store, t, `s${s}.conv1`, ci, w, 3), conv(store, t, `s${s}.conv2`, w, w, 3)]);
    ci = w;
  });
  const head = new Dense(store, 'fc', { inFeatures: ci, outFeatures: classes });
  const forward = (x: tf.Tensor4D): tf.Tensor2D => {
    let h = x;
    for (const stage of convs) {
      for (const c of stage) h = tf.relu(c(h));
      h = tf.maxPool(h, 2, 2, 'valid');
    }
    tape?.recordDense(ci, classes);
    return head.apply(tf.mean(h, [1, 2]) as tf.Tensor2D);
  };
  return { name: 'vgg-style', store, forward, stepFlops: makeFlops(forward, (v) => (tape = v)) };
}

/** ResNet-50 style: 7x7/2 stem + BN + max-pool, then bottleneck blocks (1x1, 3x3 with the stride, 1x1, BN, projection). */
export function resnetBottleneckNet(
  rng: Rng,
  {
    stages = [
      [64, 2],
      [128, 2],
      [256, 2],
    ] as [number, number][],
    classes = 2,
  } = {},
): BenchNet {
  const store = new ParamStore(rng);
  let tape: FlopTape | null = null;
  const t = () => tape;
  const stem = conv(store, t, 'stem', 3, 64, 7, 2, 'same', false);
  const stemBn = new BatchNorm(store, 'stem.bn', { channels: 64 });
  type Block = (x: tf.Tensor4D, ctx: ForwardContext) => tf.Tensor4D;
  const blocks: Block[] = [];
  let ci = 64;
  stages.forEach(([width, count], s) => {
    for (let b = 0; b < count; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const out = width * 4;
      const p = `l${s}.b${b}`;
      const c1 = conv(store, t, `${p}.conv1`, ci, width, 1, 1, 'same', false);
      const c2 = conv(store, t, `${p}.conv2`, width, width, 3, stride, 'same', false);
      const c3 = conv(store, t, `${p}.conv3`, width, out, 1, 1, 'same', false);
      const [n1, n2, n3] = [1, 2, 3].map(
        (i) => new BatchNorm(store, `${p}.bn${i}`, { channels: i === 3 ? out : width }),
      );
      const proj = ci !== out || stride !== 1 ? conv(store, t, `${p}.down`, ci, out, 1, stride, 'valid', false) : null;
      const projBn = proj ? new BatchNorm(store, `${p}.down.bn`, { channels: out }) : null;
      blocks.push((x, ctx) => {
        let h = tf.relu(n1!.apply(c1(x), ctx));
        h = tf.relu(n2!.apply(c2(h), ctx));
        h = n3!.apply(c3(h), ctx);
        const skip = proj && projBn ? projBn.apply(proj(x), ctx) : x;
        return tf.relu(tf.add(h, skip) as tf.Tensor4D);
      });
      ci = out;
    }
  });
  const head = new Dense(store, 'fc', { inFeatures: ci, outFeatures: classes });
  const forward = (x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D => {
    let h = tf.relu(stemBn.apply(stem(x), ctx));
    h = tf.maxPool(h, 3, 2, 'same');
    for (const b of blocks) h = b(h, ctx);
    tape?.recordDense(ci, classes);
    return head.apply(tf.mean(h, [1, 2]) as tf.Tensor2D);
  };
  return { name: 'resnet50-bottleneck-style', store, forward, stepFlops: makeFlops(forward, (v) => (tape = v)) };
}

/**
 * InceptionV3 style: BN convs (scale-free), 3x3/2 valid reductions, a mixed block with 1x1, 1x7->7x1, 3x3 and
 * avg-pool(3, stride 1, same) branches, concat, dropout, and a bilinear (half-pixel) up- plus nearest down-sample.
 */
export function inceptionStyleNet(rng: Rng, { width = 32, classes = 2 } = {}): BenchNet {
  const store = new ParamStore(rng);
  let tape: FlopTape | null = null;
  const t = () => tape;
  const w = width;
  const bnConv = (
    name: string,
    ci: number,
    co: number,
    k: number | [number, number],
    stride = 1,
    padding: 'same' | 'valid' = 'same',
  ) => {
    const c = conv(store, t, name, ci, co, k, stride, padding, false);
    // scale: true although Keras InceptionV3 has none: tf.batchNorm without scale cannot be differentiated in tfjs-core.
    const bn = new BatchNorm(store, `${name}.bn`, { channels: co, epsilon: 1e-3 });
    return (x: tf.Tensor4D, ctx: ForwardContext) => tf.relu(bn.apply(c(x), ctx));
  };
  const stem1 = bnConv('stem1', 3, w, 3, 2, 'valid');
  const stem2 = bnConv('stem2', w, 2 * w, 3, 1, 'valid');
  const b1 = bnConv('mixed.b1', 2 * w, w, 1);
  const b7a = bnConv('mixed.b7a', 2 * w, w, 1);
  const b7b = bnConv('mixed.b7b', w, w, [1, 7]);
  const b7c = bnConv('mixed.b7c', w, w, [7, 1]);
  const b3 = bnConv('mixed.b3', 2 * w, w, 3);
  const bp = bnConv('mixed.bpool', 2 * w, w, 1);
  const reduce = bnConv('reduce', 4 * w, 4 * w, 3, 2, 'valid');
  const head = new Dense(store, 'fc', { inFeatures: 4 * w, outFeatures: classes });
  const forward = (x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D => {
    let h = stem2(stem1(x, ctx), ctx);
    h = tf.maxPool(h, 3, 2, 'valid');
    const pooled = tf.avgPool(h, 3, 1, 'same');
    h = tf.concat([b1(h, ctx), b7c(b7b(b7a(h, ctx), ctx), ctx), b3(h, ctx), bp(pooled, ctx)], 3);
    const up = tf.image.resizeBilinear(h, [h.shape[1] * 2, h.shape[2] * 2], false, true);
    h = tf.image.resizeNearestNeighbor(up, [h.shape[1], h.shape[2]], false, true);
    h = reduce(h, ctx);
    tape?.recordDense(4 * w, classes);
    return head.apply(dropout(tf.mean(h, [1, 2]) as tf.Tensor2D, 0.5, ctx));
  };
  return { name: 'inceptionv3-style', store, forward, stepFlops: makeFlops(forward, (v) => (tape = v)) };
}
