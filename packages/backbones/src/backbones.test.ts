import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ParamStore, rngStream } from '@wslbench/core';
import '@wslbench/engine'; // registers the gradient functions
import { backboneIds, createBackbone, describeBackbone, parseBackboneId } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Expected stage channels at full width (§3.1) and their strides. */
const FULL_STAGES: Record<string, [string, number, number][]> = {
  vgg16: [
    ['f1', 128, 2],
    ['f2', 256, 4],
    ['f3', 1024, 8],
  ],
  resnet50: [
    ['f1', 64, 2],
    ['f2', 256, 4],
    ['f3', 512, 8],
    ['f4', 1024, 8],
    ['f5', 2048, 8],
  ],
  inceptionv3: [
    ['f1', 64, 2],
    ['f2', 80, 4],
    ['f3', 288, 8],
    ['f4', 768, 8],
    ['f5', 1024, 8],
  ],
};

describe('backbone ids', () => {
  it('parses width tags and rejects bad ones', () => {
    expect(parseBackboneId('resnet50:w0.25')).toEqual({ id: 'resnet50', width: 0.25 });
    expect(parseBackboneId('vgg16')).toEqual({ id: 'vgg16', width: undefined });
    expect(() => parseBackboneId('vgg16:x2')).toThrow(/unknown tag 'x2'/);
    expect(() => parseBackboneId('vgg16:w1.5')).toThrow(/must be in/);
    expect(() => createBackbone('alexnet', { params: new ParamStore(rngStream(0)) })).toThrow(
      /unknown backbone 'alexnet'/,
    );
  });
});

describe.each(backboneIds())('%s', (id) => {
  it('declares full-width stages as the reference (layout only, nothing allocated)', () => {
    const d = describeBackbone(id);
    expect(d.stages.map((s) => [s.name, s.channels, s.stride])).toEqual(FULL_STAGES[id]);
    expect(d.outChannels).toBe(id === 'resnet50' ? 2048 : 1024);
    expect(d.outputStride).toBe(8);
    expect(d.insertionPoints).toEqual(d.spec.insertionPoints);
    expect(d.taps).toContain(d.spec.camLayer);
  });

  it('the layout description matches a built instance (names, shapes, groups)', () => {
    const store = new ParamStore(rngStream(0, id, 'desc'));
    const bb = createBackbone(`${id}:w0.0625`, { params: store });
    const d = describeBackbone(`${id}:w0.0625`);
    expect(store.all().map((p) => [p.name, p.variable.shape, p.group, p.trainable])).toEqual(
      d.params.map((p) => [p.name, p.shape, p.group, p.trainable]),
    );
    expect(bb.countParams()).toEqual(d.counts);
    expect(bb.kerasBindings).toEqual(d.kerasBindings);
    store.dispose();
  });

  it.each([
    [64, 0.0625],
    [96, 0.0625],
    [224, 0.03125],
  ])('input %i at width %f: output and stage shapes, hooks, no leaks', (size, width) => {
    const store = new ParamStore(rngStream(0, id, width));
    const bb = createBackbone(`${id}:w${width}`, { params: store });
    const n = size === 224 ? 1 : 2;
    const x = tf.randomNormal([n, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const inserted: string[] = [];
    const tapped: string[] = [];
    tf.tidy(() => {
      const out = bb.forward(x, {
        training: false,
        insert: (p, t) => {
          inserted.push(p);
          return t;
        },
        tap: (n, t) => {
          tapped.push(n);
          return t;
        },
      });
      expect(out.features.shape).toEqual([n, size / 8, size / 8, bb.outChannels]);
      for (const s of bb.stages)
        expect(out.stages[s.name]!.shape).toEqual([n, size / s.stride, size / s.stride, s.channels]);
      expect(Object.keys(out.stages)).toEqual(bb.stages.map((s) => s.name));
      expect(out.stages[bb.stages[bb.stages.length - 1]!.name]).toBe(out.features);
    });
    expect(inserted).toEqual(bb.spec.insertionPoints);
    expect(tapped).toEqual(bb.taps);
    expect(tapped).toContain(bb.spec.camLayer);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    store.dispose();
  });
});

describe('hooks', () => {
  it("the tensor returned by tap('cam_layer') is what flows on, and insert changes the inside", () => {
    const store = new ParamStore(rngStream(0, 'hooks'));
    const bb = createBackbone('resnet50:w0.0625', { params: store });
    const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const plain = bb.forward(x, { training: false }).features;
    const marked = bb.forward(x, { training: false, tap: (n, t) => (n === 'cam_layer' ? tf.mul(t, 0) : t) }).features;
    expect(tf.max(marked).dataSync()[0]).toBe(0);
    const zeroed = bb.forward(x, {
      training: false,
      insert: (p, t) => (p === 'layer4.2' ? tf.zerosLike(t) : t),
    }).features;
    expect(tf.max(zeroed).dataSync()[0]).toBe(0);
    const inner = bb.forward(x, { training: false, insert: (p, t) => (p === 'layer3.0' ? tf.mul(t, 2) : t) }).features;
    expect(tf.max(tf.abs(tf.sub(inner, plain))).dataSync()[0]).toBeGreaterThan(1e-3);
    // gradient through a tap wrapper reaches the input
    const g = tf.grad((inp: tf.Tensor) => tf.sum(bb.forward(inp as tf.Tensor4D, { training: false }).features))(x);
    expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    store.dispose();
  });

  it('until truncates the network: no later parameters, features = that tap', () => {
    const store = new ParamStore(rngStream(0, 'until'));
    const bb = createBackbone('vgg16:w0.0625', { params: store, until: 'conv5' });
    expect(store.has('encoder.conv6.kernel')).toBe(false);
    expect(bb.outChannels).toBe(32);
    expect(bb.stages.map((s) => s.name)).toEqual(['f1', 'f2']);
    const out = bb.forward(tf.zeros([1, 32, 32, 3]) as tf.Tensor4D, { training: false });
    expect(out.features.shape).toEqual([1, 4, 4, 32]);
    const inc = createBackbone('inceptionv3:w0.0625', { params: store, until: 'Mixed_6e', prefix: 'inc.' });
    expect(inc.outChannels).toBe(4 * 12);
    expect(inc.insertionPoints).toEqual(['Mixed_5d', 'Mixed_6e']);
    expect(() => createBackbone('vgg16', { params: store, until: 'conv9', prefix: 'x.' })).toThrow(
      /unknown 'until' tap 'conv9'/,
    );
    expect(store.has('x.conv1_1.kernel')).toBe(false);
    store.dispose();
  });
});
