import * as tf from '@tensorflow/tfjs-core';
import { engineEnvInfo, initEngine, probeNative } from './index.js';

test('without a native package, auto picks wasm and says why; a second call returns the same info', async () => {
  const native = await probeNative();
  if (native.available) return; // the environment has tfjs-node: nothing to assert about the fallback
  const saved = process.env.WSLBENCH_BACKEND;
  delete process.env.WSLBENCH_BACKEND;
  try {
    const info = await initEngine();
    expect(info.backend).toBe('wasm');
    expect(info.backendReason).toMatch(/tfjs-node.*not installed/);
    expect(info.wasm?.simd).toBe(true);
    expect(info.engineKernels).toContain('Conv2DBackpropFilter');
    expect(await initEngine()).toBe(info);
    expect(tf.getBackend()).toBe('wasm');
  } finally {
    if (saved !== undefined) process.env.WSLBENCH_BACKEND = saved;
  }
});

test('env WSLBENCH_BACKEND selects cpu; the option overrides the env', async () => {
  process.env.WSLBENCH_BACKEND = 'cpu';
  try {
    expect((await initEngine()).backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect((await initEngine({ backend: 'wasm' })).backend).toBe('wasm');
  } finally {
    delete process.env.WSLBENCH_BACKEND;
  }
});

test('bad requests fail with a clear message', async () => {
  await expect(initEngine({ backend: 'webgpu' })).rejects.toThrow(/unknown backend 'webgpu'.*tensorflow, wasm, cpu/);
  const native = await probeNative();
  if (!native.available)
    await expect(initEngine({ backend: 'tensorflow' })).rejects.toThrow(/no native TensorFlow backend loads/);
});

test('engineEnvInfo fills the result-record env block', async () => {
  await initEngine({ backend: 'wasm' });
  const env = engineEnvInfo();
  expect(env.backend).toBe('wasm');
  expect(env.tfjsVersion).toBe('4.22.0');
  expect(env.packages['@tensorflow/tfjs-backend-wasm']).toBe('4.22.0');
  expect(env.node).toBe(process.version);
  expect(env.commit === null || /^[0-9a-f]{40}$/.test(env.commit)).toBe(true);
});
