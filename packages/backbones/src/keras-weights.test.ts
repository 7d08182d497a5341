import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gaussian, ParamStore, rngStream } from '@wslbench/core';
import {
  checkKerasWeights,
  createBackbone,
  identifyKerasFile,
  type KerasTensor,
  loadKerasWeights,
  readKerasH5,
  resolveKerasWeightsPath,
  type WsolBackbone,
  writeKerasH5,
} from './index.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'wslbench-keras-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KERAS_SUFFIX = ['kernel:0', 'bias:0'];
const BN_SUFFIX = (n: number) =>
  n === 4
    ? ['gamma:0', 'beta:0', 'moving_mean:0', 'moving_variance:0']
    : ['beta:0', 'moving_mean:0', 'moving_variance:0'];

/** A Keras-layout file for a built backbone: random values, layer names from its bindings (by `naming`). */
function kerasLayers(
  bb: WsolBackbone,
  naming: (ref: WsolBackbone['kerasBindings'][number]['ref']) => string,
  seed: number,
) {
  const rng = rngStream(seed, 'file');
  return bb.kerasBindings.map((b) => {
    const layer = naming(b.ref);
    const suffixes = b.params[0]!.endsWith('.kernel') ? KERAS_SUFFIX : BN_SUFFIX(b.params.length);
    const weights: KerasTensor[] = b.params.map((p, i) => {
      const shape = bb.params.get(p).variable.shape;
      const data = new Float32Array(shape.reduce((a, c) => a * c, 1)).map(() =>
        p.endsWith('moving_var') ? 0.5 + rng() : gaussian(rng) * 0.3,
      );
      return { name: `${layer}/${suffixes[i]}`, shape, data };
    });
    return { name: layer, weights };
  });
}

type LayerRef = WsolBackbone['kerasBindings'][number]['ref'];
const refName = (ref: LayerRef, what: string): Extract<LayerRef, { name: string }> => {
  if (!('name' in ref)) throw new Error(`${what}: layer ${JSON.stringify(ref)} has no name`);
  return ref;
};
const byName = (ref: LayerRef) => refName(ref, 'byName').name;
const legacyName = (ref: LayerRef) => {
  const named = refName(ref, 'legacyName');
  return named.aliases?.[0] ?? named.name;
};
/** TF2-style auto names: conv2d, conv2d_1, ... (rank k -> suffix k-1). */
const tf2Auto = (ref: LayerRef) => {
  if (!('className' in ref)) throw new Error(`tf2Auto: layer ${ref.name} is named, not ranked`);
  return ref.ordinal === 1 ? ref.className : `${ref.className}_${ref.ordinal - 1}`;
};

/** Plain-loop 'same' 3x3 conv + bias + ReLU, NHWC with N = 1. */
function conv3x3Relu(
  x: Float32Array,
  h: number,
  w: number,
  cin: number,
  k: Float32Array,
  bias: Float32Array,
  cout: number,
): Float32Array {
  const y = new Float32Array(h * w * cout);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      for (let o = 0; o < cout; o++) {
        let s = bias[o]!;
        for (let di = 0; di < 3; di++)
          for (let dj = 0; dj < 3; dj++) {
            const ii = i + di - 1;
            const jj = j + dj - 1;
            if (ii < 0 || jj < 0 || ii >= h || jj >= w) continue;
            for (let c = 0; c < cin; c++) s += x[(ii * w + jj) * cin + c]! * k[((di * 3 + dj) * cin + c) * cout + o]!;
          }
        y[(i * w + j) * cout + o] = Math.max(0, s);
      }
  return y;
}

function capture(bb: WsolBackbone, x: tf.Tensor4D, name: string): tf.Tensor4D {
  let out: tf.Tensor4D | undefined;
  const features = bb.forward(x, {
    training: false,
    tap: (n, t) => {
      if (n === name) out = tf.keep(t.clone());
      return t;
    },
  }).features;
  features.dispose();
  return out!;
}

describe('Keras weights', () => {
  it('VGG16: a Keras-layout file loads exactly and reproduces an independent forward computation', async () => {
    const store = new ParamStore(rngStream(0, 'vgg'));
    const bb = createBackbone('vgg16:w0.0625', { params: store });
    const layers = kerasLayers(bb, byName, 1);
    const path = join(dir, 'vgg.h5');
    await writeKerasH5(path, [
      { name: 'input_1', weights: [] },
      ...layers.slice(0, 4),
      { name: 'block2_pool', weights: [] },
      ...layers.slice(4),
    ]);
    const file = await readKerasH5(path);
    expect(identifyKerasFile(file)).toBe('vgg16');
    expect(file.layerNames[0]).toBe('input_1');
    const conv6Before = Array.from(store.get('encoder.conv6.kernel').variable.dataSync());
    const report = await loadKerasWeights(bb, path, { foldPreprocessing: false });
    expect(report.matchedTensors).toBe(26);
    expect(report.keptInit).toEqual(['encoder.conv6.kernel', 'encoder.conv6.bias']);
    expect(Array.from(store.get('encoder.conv6.kernel').variable.dataSync())).toEqual(conv6Before);
    expect(Array.from(store.get('encoder.conv3_2.bias').variable.dataSync())).toEqual(
      Array.from(file.weights.get('block3_conv2')![1]!.data),
    );

    // conv1_1 + conv1_2 (+ReLU) recomputed in plain loops from the file's arrays.
    const x = tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const [c11, c12] = [file.weights.get('block1_conv1')!, file.weights.get('block1_conv2')!];
    const cout = c11[0]!.shape[3]!;
    const y1 = conv3x3Relu(x.dataSync() as Float32Array, 8, 8, 3, c11[0]!.data, c11[1]!.data, cout);
    const y2 = conv3x3Relu(y1, 8, 8, cout, c12[0]!.data, c12[1]!.data, cout);
    const got = capture(bb, x, 'conv1').dataSync();
    y2.forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 4);
    });
    store.dispose();
  });

  it('folds the caffe input convention: ImageNet-normalised RGB gives the Keras (BGR, 0-255) activations', async () => {
    const store = new ParamStore(rngStream(0, 'fold'));
    const folded = createBackbone('vgg16:w0.0625', { params: store });
    const plain = createBackbone('vgg16:w0.0625', { params: store, prefix: 'plain.' });
    const path = join(dir, 'vgg-fold.h5');
    await writeKerasH5(path, kerasLayers(folded, byName, 2));
    await loadKerasWeights(folded, path);
    await loadKerasWeights(plain, path, { foldPreprocessing: false });
    const rgb = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const ours = tf.div(tf.sub(rgb, [...folded.mean]), [...folded.std]) as tf.Tensor4D;
    const caffe = tf.sub(tf.mul(tf.reverse(rgb, 3), 255), [103.939, 116.779, 123.68]) as tf.Tensor4D;
    const a = tf.slice(capture(folded, ours, 'conv1'), [0, 2, 2, 0], [1, 12, 12, -1]);
    const b = tf.slice(capture(plain, caffe, 'conv1'), [0, 2, 2, 0], [1, 12, 12, -1]);
    const scale = tf.max(tf.abs(b)).dataSync()[0]!;
    expect(scale).toBeGreaterThan(1);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / scale).toBeLessThan(1e-5);
    store.dispose();
  });

  it('InceptionV3: auto-named layers by creation rank, BN without gamma, tf-mode fold into the BN mean', async () => {
    const store = new ParamStore(rngStream(0, 'inc'));
    const folded = createBackbone('inceptionv3:w0.0625', { params: store });
    const plain = createBackbone('inceptionv3:w0.0625', { params: store, prefix: 'plain.' });
    const layers = kerasLayers(folded, tf2Auto, 3);
    // Mixed_7* layers of the real file (conv2d_70.. in TF2 naming) are present but unused.
    const extra = {
      name: 'conv2d_93',
      weights: [{ name: 'conv2d_93/kernel:0', shape: [1, 1, 4, 4], data: new Float32Array(16) }],
    };
    const path = join(dir, 'inc.h5');
    // Keras lists layers topologically, not by creation: shuffle the order to show it does not matter.
    await writeKerasH5(path, [...layers.slice(10), extra, { name: 'mixed0', weights: [] }, ...layers.slice(0, 10)]);
    const report = await loadKerasWeights(folded, path);
    expect(report.matchedLayers).toBe(140);
    expect(report.ignoredLayers).toEqual(['conv2d_93']);
    expect(report.keptInit).toEqual([
      'encoder.SPG_A3_1b.kernel',
      'encoder.SPG_A3_1b.bias',
      'encoder.SPG_A3_2b.kernel',
      'encoder.SPG_A3_2b.bias',
    ]);
    await loadKerasWeights(plain, path, { foldPreprocessing: false });
    const file = await readKerasH5(path);
    expect(Array.from(store.get('plain.Mixed_6e.branch_pool.bn.moving_var').variable.dataSync())).toEqual(
      Array.from(file.weights.get('batch_normalization_69')![2]!.data),
    );
    const rgb = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const ours = tf.div(tf.sub(rgb, [...folded.mean]), [...folded.std]) as tf.Tensor4D;
    const tfMode = tf.sub(tf.mul(rgb, 2), 1) as tf.Tensor4D;
    const a = tf.slice(capture(folded, ours, 'Conv2d_1a_3x3'), [0, 1, 1, 0], [1, 7, 7, -1]);
    const b = tf.slice(capture(plain, tfMode, 'Conv2d_1a_3x3'), [0, 1, 1, 0], [1, 7, 7, -1]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!).toBeLessThan(1e-4 * (1 + tf.max(tf.abs(b)).dataSync()[0]!));
    store.dispose();
  });

  it('ResNet50: legacy keras-applications names load; missing and mismatched tensors are listed', async () => {
    const store = new ParamStore(rngStream(0, 'res'));
    const bb = createBackbone('resnet50:w0.0625', { params: store });
    const layers = kerasLayers(bb, legacyName, 4);
    const path = join(dir, 'res.h5');
    await writeKerasH5(path, layers);
    expect(identifyKerasFile(await readKerasH5(path))).toBe('resnet50');
    const report = await loadKerasWeights(bb, path, { foldPreprocessing: false });
    expect(report.matchedLayers).toBe(bb.kerasBindings.length);
    expect(Array.from(store.get('encoder.layer4.2.bn3.gamma').variable.dataSync())).toEqual(
      Array.from(layers.find((l) => l.name === 'bn5c_branch2c')!.weights[0]!.data),
    );
    const broken = layers
      .filter((l) => l.name !== 'res3a_branch1')
      .map((l) =>
        l.name === 'bn2b_branch2a'
          ? {
              ...l,
              weights: l.weights.map((w) => ({
                ...w,
                shape: [w.shape[0]! + 1],
                data: new Float32Array(w.shape[0]! + 1),
              })),
            }
          : l,
      );
    const badPath = join(dir, 'res-bad.h5');
    await writeKerasH5(badPath, broken);
    await expect(loadKerasWeights(bb, badPath)).rejects.toThrow(
      /missing Keras layer 'conv3_block1_0_conv' or 'res3a_branch1'/,
    );
    await expect(loadKerasWeights(bb, badPath)).rejects.toThrow(
      /layer 'bn2b_branch2a' tensor 'bn2b_branch2a\/gamma:0': shape \[5\] does not fit 'encoder.layer1.1.bn1.gamma' \[4\]/,
    );
    await expect(loadKerasWeights(bb, join(dir, 'nope.h5'))).rejects.toThrow(/no file at/);
    store.dispose();
  });

  it('weights check identifies a file and reports width-1 mismatches; paths resolve from WSLBENCH_WEIGHTS_DIR', async () => {
    const store = new ParamStore(rngStream(0, 'chk'));
    const bb = createBackbone('vgg16:w0.0625', { params: store });
    const path = join(dir, 'chk.h5');
    await writeKerasH5(path, kerasLayers(bb, byName, 5));
    const r = await checkKerasWeights(path);
    expect(r.backbone).toBe('vgg16');
    expect(r.problems.length).toBe(26);
    expect(r.problems[0]).toMatch(/block1_conv1.*shape \[3,3,3,4\] does not fit 'encoder.conv1_1.kernel' \[3,3,3,64\]/);
    expect(resolveKerasWeightsPath('resnet50', undefined, { WSLBENCH_WEIGHTS_DIR: '/w' })).toBe(
      '/w/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    );
    expect(resolveKerasWeightsPath('vgg16', '/x.h5', {})).toBe('/x.h5');
    expect(() => resolveKerasWeightsPath('vgg16', undefined, {})).toThrow(/WSLBENCH_WEIGHTS_DIR/);
    store.dispose();
  });
});
