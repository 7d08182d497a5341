import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { assertFloat32, type ConvGeometry, convGeometry } from './conv-geometry.js';
import { conv2dForward, dispose, reshape, slice, transpose, type WasmBackendLike } from './wasm-calls.js';

/**
 * dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[n,oh,ow,co], computed by XNNPACK's conv
 * forward. The wasm backend has no kernel for it at all.
 *  - 1x1 without padding: one GEMM x^T·dy, run as a 1x1 conv (wasm's BatchMatMul with a transposed operand is ~20x
 *    slower than XNNPACK's GEMM); stride 2 subsamples x in JS first.
 *  - otherwise: conv of x^T [Ci,H,W,N] (channels = batch) with dy^T [OH,OW,N,Co] as a filter dilated by the
 *    stride; the output [Ci,KH,KW,Co] is transposed to HWIO. Its GEMM reduces over the batch in short runs,
 *  - so on small maps (late stages, where building the patches is cheap) the explicit patch matrix wins:
 *    dW = cols^T · dy as one GEMM over N*OH*OW (measured 1.7x faster at 12x12x256, equal at 24x24x128).
 */
const IM2COL_MAX_PIXELS = 24 * 24;
function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  attrs: Conv2DBackpropFilterAttrs;
  backend: WasmBackendLike;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { x, dy } = inputs;
  assertFloat32('Conv2DBackpropFilter', x, dy);
  const g = convGeometry('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  if (g.kH === 1 && g.kW === 1 && g.padTop === 0 && g.padLeft === 0) return pointwiseFilterGrad(backend, x, dy, g);
  if (g.outH * g.outW <= IM2COL_MAX_PIXELS) return im2colFilterGrad(backend, x, dy, g);
  return spatialFilterGrad(backend, x, dy, g);
}

function pointwiseFilterGrad(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const strided = g.strideH > 1 || g.strideW > 1;
  // For a 1x1 kernel the patch matrix is just the strided subsample, [N*OH*OW, Ci].
  const xs = strided ? patchMatrix(backend, x, g) : x;
  const p = g.batch * g.outH * g.outW;
  const x2 = reshape(backend, xs, [p, g.inC]);
  const xT = transpose(backend, x2, [1, 0]);
  const a = reshape(backend, xT, [1, 1, g.inC, p]);
  const f = reshape(backend, dy, [1, 1, p, g.outC]);
  const out = conv2dForward(backend, a, f, { pads: [0, 0, 0, 0] });
  const dw = reshape(backend, out, [1, 1, g.inC, g.outC]);
  dispose(backend, x2, xT, a, f, out);
  if (xs !== x) dispose(backend, xs);
  return dw;
}

function spatialFilterGrad(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  // Bottom/right padding that makes the conv output exactly KH x KW; negative = rows of x no output reads.
  const padBottom = g.kH + (g.outH - 1) * g.strideH - g.inH - g.padTop;
  const padRight = g.kW + (g.outW - 1) * g.strideW - g.inW - g.padLeft;
  const cropped = padBottom < 0 || padRight < 0;
  const xs = cropped
    ? slice(backend, x, [0, 0, 0, 0], [g.batch, g.inH + Math.min(0, padBottom), g.inW + Math.min(0, padRight), g.inC])
    : x;
  const xT = transpose(backend, xs, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const out = conv2dForward(backend, xT, dyT, {
    dilations: [g.strideH, g.strideW],
    pads: [g.padTop, Math.max(0, padBottom), g.padLeft, Math.max(0, padRight)],
  });
  const dw = transpose(backend, out, [1, 2, 0, 3]);
  dispose(backend, xT, dyT, out);
  if (cropped) dispose(backend, xs);
  return dw;
}

function im2colFilterGrad(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const k = g.kH * g.kW * g.inC;
  const p = g.batch * g.outH * g.outW;
  const cols = patchMatrix(backend, x, g);
  const colsT = transpose(backend, cols, [1, 0]);
  const a = reshape(backend, colsT, [1, 1, k, p]);
  const f = reshape(backend, dy, [1, 1, p, g.outC]);
  const out = conv2dForward(backend, a, f, { pads: [0, 0, 0, 0] });
  const dw = reshape(backend, out, [g.kH, g.kW, g.inC, g.outC]);
  dispose(backend, cols, colsT, a, f, out);
  return dw;
}

/**
 * Patch matrix [N*OH*OW, KH*KW*Ci] built in JS on the heap (zeros where the window hangs over the padding):
 * one contiguous copy of Ci floats per (pixel, tap); wasm's StridedSlice was far slower for stride 2.
 */
function patchMatrix(backend: WasmBackendLike, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const c = g.inC;
  const rowLen = g.kH * g.kW * c;
  const out = backend.makeOutput([g.batch * g.outH * g.outW, rowLen], 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  dst.fill(0);
  let row = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++, row++) {
        let d = row * rowLen;
        for (let kh = 0; kh < g.kH; kh++) {
          const h = oh * g.strideH + kh - g.padTop;
          for (let kw = 0; kw < g.kW; kw++, d += c) {
            const w = ow * g.strideW + kw - g.padLeft;
            if (h < 0 || h >= g.inH || w < 0 || w >= g.inW) continue;
            const s0 = ((n * g.inH + h) * g.inW + w) * c;
            dst.set(src.subarray(s0, s0 + c), d);
          }
        }
      }
    }
  }
  return out;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
