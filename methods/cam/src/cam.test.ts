import { learnsToyTask } from '@wslbench/core/testing';
import { initEngine } from '@wslbench/engine';
import { method } from './index.js';

beforeAll(async () => {
  // wasm + the engine's training kernels (it also registers TF.js' gradient functions).
  await initEngine(); // the best available backend (torch where libtorch is installed, as in CI), or WSLBENCH_BACKEND
});

describe('CAM', () => {
  it('learns the toy task and releases its tensors', () => {
    expect(learnsToyTask(method, { trainBackbone: true })).toEqual([]);
  });
});
