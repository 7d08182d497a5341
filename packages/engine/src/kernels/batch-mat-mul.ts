import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dForward, dispose, reshape, runWasmKernel, transpose, type WasmBackendLike } from './wasm-calls.js';

/**
 * wasm's BatchMatMul is 20-50x slower with a transposed operand (as in every dense-layer gradient) than without.
 * Transpose explicitly (a fast copy), then run the plain product: a single matrix as XNNPACK's GEMM through a
 * 1x1 conv (faster still than wasm's BatchMatMul), a real batch through the original kernel.
 */
function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  attrs: BatchMatMulAttrs;
  backend: WasmBackendLike;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { a, b } = inputs;
  const temps: TensorInfo[] = [];
  const a2 = attrs.transposeA ? keep(temps, swapLastTwo(backend, a)) : a;
  const b2 = attrs.transposeB ? keep(temps, swapLastTwo(backend, b)) : b;
  let out: TensorInfo;
  const batchA = a2.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const batchB = b2.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  if (batchA === 1 && batchB === 1 && a2.dtype === 'float32' && b2.dtype === 'float32') {
    const [m, k] = a2.shape.slice(-2) as [number, number];
    const n = b2.shape[b2.shape.length - 1]!;
    const x = keep(temps, reshape(backend, a2, [1, 1, m, k]));
    const f = keep(temps, reshape(backend, b2, [1, 1, k, n]));
    const y = keep(temps, conv2dForward(backend, x, f, { pads: [0, 0, 0, 0] }));
    const outRank = Math.max(a.shape.length, b.shape.length);
    out = reshape(backend, y, [...new Array<number>(outRank - 2).fill(1), m, n]);
  } else {
    out = runWasmKernel('BatchMatMul', { a: a2, b: b2 }, { transposeA: false, transposeB: false }, backend);
  }
  dispose(backend, ...temps);
  return out;
}

function swapLastTwo(backend: WasmBackendLike, t: TensorInfo): TensorInfo {
  const r = t.shape.length;
  const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
  return transpose(backend, t, perm);
}

function keep(list: TensorInfo[], t: TensorInfo): TensorInfo {
  list.push(t);
  return t;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
