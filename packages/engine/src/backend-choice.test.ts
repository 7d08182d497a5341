import * as tf from '@tensorflow/tfjs-core';
import { loadAddon } from '@wslbench/backend-torch';
import { engineEnvInfo, initEngine, probeNative } from './index.js';

const torch = loadAddon();

test('without tfjs-node, auto picks torch when its addon loads, else wasm, and says why; a second call returns the same info', async () => {
  const native = await probeNative();
  if (native.available) return; // the environment has tfjs-node: nothing to assert about the fallback
  const saved = process.env.WSLBENCH_BACKEND;
  delete process.env.WSLBENCH_BACKEND;
  try {
    const info = await initEngine();
    if (torch.ok) {
      expect(info.backend).toBe('torch');
      expect(info.backendReason).toMatch(/best available: libtorch \d+\.\d+.* on (cpu|cuda), \d+ thread/);
      expect(info.torch?.version).toMatch(/^\d+\.\d+/);
      expect(info.torch?.fallbackKernels).not.toContain('Conv2D');
      const env = engineEnvInfo(info);
      expect([env.libtorch, env.device, typeof env.threads]).toEqual([
        info.torch?.version,
        info.torch?.device,
        'number',
      ]);
    } else {
      expect(info.backend).toBe('wasm');
      expect(info.backendReason).toMatch(/torch unavailable: the torch addon/);
      expect(info.wasm?.simd).toBe(true);
      expect(info.engineKernels).toContain('Conv2DBackpropFilter');
    }
    expect(info.backendReason).toMatch(/tfjs-node.*not installed/);
    expect(await initEngine()).toBe(info);
    expect(tf.getBackend()).toBe(info.backend);
  } finally {
    if (saved !== undefined) process.env.WSLBENCH_BACKEND = saved;
  }
});

(torch.ok ? test : test.skip)('torch: threads and device from options or env, bad values named', async () => {
  const info = await initEngine({ backend: 'torch', threads: 1 });
  expect(info.torch?.threads).toBe(1);
  process.env.WSLBENCH_THREADS = '2';
  try {
    expect((await initEngine({ backend: 'torch' })).torch?.threads).toBe(2);
  } finally {
    delete process.env.WSLBENCH_THREADS;
  }
  await expect(initEngine({ backend: 'torch', threads: 0 })).rejects.toThrow(/threads must be a positive integer.*'0'/);
  await expect(initEngine({ backend: 'torch', device: 'tpu' })).rejects.toThrow(/unknown device 'tpu'/);
  if (!info.torch?.cudaAvailable)
    await expect(initEngine({ backend: 'torch', device: 'cuda' })).rejects.toThrow(
      /device 'cuda' asked, but this libtorch has no CUDA/,
    );
  await expect(initEngine({ backend: 'wasm', device: 'cuda' })).rejects.toThrow(
    /needs the torch or tensorflow backend/,
  );
});

(torch.ok ? test.skip : test)('without the torch addon, asking for torch fails naming why', async () => {
  await expect(initEngine({ backend: 'torch' })).rejects.toThrow(
    /backend 'torch' requested, but it is unavailable: the torch addon/,
  );
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
  await expect(initEngine({ backend: 'webgpu' })).rejects.toThrow(
    /unknown backend 'webgpu'.*tensorflow, torch, wasm, cpu/,
  );
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
