import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { assertFloat32, type ConvGeometry, convGeometry } from './conv-geometry.js';
import { conv2dForward, dispose, type WasmBackendLike } from './wasm-calls.js';

/**
 * dX = conv(dy zero-dilated by the stride, flipped kernel with in/out channels swapped), run by XNNPACK's conv
 * forward: the wasm backend's own Conv2DBackpropInput is a plain loop, ~10x slower than its forward conv.
 * Stride 1 hands the padding to XNNPACK; larger strides split into s*s phase convs (no zero-dilation).
 */
function conv2DBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  attrs: Conv2DBackpropInputAttrs;
  backend: WasmBackendLike;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { dy, filter } = inputs;
  assertFloat32('Conv2DBackpropInput', dy, filter);
  const g = convGeometry('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  if ((g.strideH > 1 || g.strideW > 1) && g.padTop >= 0 && g.padLeft >= 0)
    return strideByPhases(backend, dy, filter, g);
  const pads = fullConvPads(g);
  const flipped = flipAndSwapChannels(backend, filter, g);
  let dx: TensorInfo;
  if (g.strideH === 1 && g.strideW === 1 && pads.every((p) => p >= 0)) {
    dx = conv2dForward(backend, dy, flipped, { pads });
  } else {
    const spread = dilateAndPad(backend, dy, g, pads);
    dx = conv2dForward(backend, spread, flipped, { pads: [0, 0, 0, 0] });
    dispose(backend, spread);
  }
  dispose(backend, flipped);
  return dx;
}

/**
 * Stride s > 1 without the s*s wasted products of a zero-dilated dy: the rows h with (h + padTop) mod s = r only
 * receive the kernel taps kh = r, r+s, ...; so each of the s*s phases is a stride-1 conv of dy with that
 * sub-kernel (flipped, channels swapped), and the phase outputs interleave into dx.
 */
function strideByPhases(backend: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const dx = backend.makeOutput([g.batch, g.inH, g.inW, g.inC], 'float32');
  backend.typedArrayFromHeap(dx).fill(0);
  for (let rh = 0; rh < g.strideH; rh++) {
    for (let rw = 0; rw < g.strideW; rw++) {
      const jh = Math.ceil((g.kH - rh) / g.strideH);
      const jw = Math.ceil((g.kW - rw) / g.strideW);
      if (jh <= 0 || jw <= 0) continue; // e.g. 1x1 stride 2: odd rows/cols get no gradient
      const qh = phaseRange(g.inH, g.padTop, rh, g.strideH);
      const qw = phaseRange(g.inW, g.padLeft, rw, g.strideW);
      if (qh.last < qh.first || qw.last < qw.first) continue;
      const sub = phaseKernel(backend, filter, g, rh, rw, jh, jw);
      const pads: [number, number, number, number] = [
        jh - 1,
        Math.max(0, qh.last + 1 - g.outH),
        jw - 1,
        Math.max(0, qw.last + 1 - g.outW),
      ];
      const part = conv2dForward(backend, dy, sub, { pads });
      scatterPhase(backend, part, dx, g, qh, qw, rh, rw);
      dispose(backend, sub, part);
    }
  }
  return dx;
}

/** Output indices q of one phase: input row h = q*s + r - pad, for 0 <= h < size. */
function phaseRange(size: number, pad: number, r: number, s: number): { first: number; last: number } {
  return { first: Math.max(0, Math.ceil((pad - r) / s)), last: Math.floor((size - 1 + pad - r) / s) };
}

/** Sub-kernel of taps (r + j*s), flipped along j, HWIO -> [jh, jw, Co, Ci]. */
function phaseKernel(
  backend: WasmBackendLike,
  filter: TensorInfo,
  g: ConvGeometry,
  rh: number,
  rw: number,
  jh: number,
  jw: number,
): TensorInfo {
  const { kW, inC, outC } = g;
  const out = backend.makeOutput([jh, jw, outC, inC], 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(filter);
  for (let a = 0; a < jh; a++) {
    const kh = rh + (jh - 1 - a) * g.strideH;
    for (let b = 0; b < jw; b++) {
      const kw = rw + (jw - 1 - b) * g.strideW;
      const s0 = (kh * kW + kw) * inC * outC;
      const d0 = (a * jw + b) * outC * inC;
      for (let ci = 0; ci < inC; ci++) {
        const sRow = s0 + ci * outC;
        for (let co = 0; co < outC; co++) dst[d0 + co * inC + ci] = src[sRow + co]!;
      }
    }
  }
  return out;
}

function scatterPhase(
  backend: WasmBackendLike,
  part: TensorInfo,
  dx: TensorInfo,
  g: ConvGeometry,
  qh: { first: number; last: number },
  qw: { first: number; last: number },
  rh: number,
  rw: number,
): void {
  const [, ph, pw, c] = part.shape as [number, number, number, number];
  const src = backend.typedArrayFromHeap(part);
  const dst = backend.typedArrayFromHeap(dx);
  for (let n = 0; n < g.batch; n++) {
    for (let q = qh.first; q <= qh.last; q++) {
      const h = q * g.strideH + rh - g.padTop;
      for (let p = qw.first; p <= qw.last; p++) {
        const w = p * g.strideW + rw - g.padLeft;
        const s0 = ((n * ph + q) * pw + p) * c;
        dst.set(src.subarray(s0, s0 + c), ((n * g.inH + h) * g.inW + w) * c);
      }
    }
  }
}

/** [top, bottom, left, right] padding of the dilated dy so that a stride-1 'valid' conv yields exactly H x W. */
function fullConvPads(g: ConvGeometry): [number, number, number, number] {
  const dilatedH = (g.outH - 1) * g.strideH + 1;
  const dilatedW = (g.outW - 1) * g.strideW + 1;
  return [g.kH - 1 - g.padTop, g.inH + g.padTop - dilatedH, g.kW - 1 - g.padLeft, g.inW + g.padLeft - dilatedW];
}

/** HWIO [KH,KW,Ci,Co] -> rotated by 180 degrees, [KH,KW,Co,Ci]. */
function flipAndSwapChannels(backend: WasmBackendLike, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const { kH, kW, inC, outC } = g;
  const out = backend.makeOutput([kH, kW, outC, inC], 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(filter); // after makeOutput: a heap growth detaches older views
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const s0 = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * inC * outC;
      const d0 = (kh * kW + kw) * outC * inC;
      for (let ci = 0; ci < inC; ci++) {
        const sRow = s0 + ci * outC;
        for (let co = 0; co < outC; co++) dst[d0 + co * inC + ci] = src[sRow + co]!;
      }
    }
  }
  return out;
}

/** Zero-dilate dy by the stride and pad it by `pads` (negative = crop), in one pass over the heap. */
function dilateAndPad(
  backend: WasmBackendLike,
  dy: TensorInfo,
  g: ConvGeometry,
  pads: [number, number, number, number],
): TensorInfo {
  const [pt, pb, pl, pr] = pads;
  const h = (g.outH - 1) * g.strideH + 1 + pt + pb;
  const w = (g.outW - 1) * g.strideW + 1 + pl + pr;
  const c = g.outC;
  const out = backend.makeOutput([g.batch, h, w, c], 'float32');
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(dy);
  dst.fill(0);
  for (let n = 0; n < g.batch; n++) {
    for (let oh = 0; oh < g.outH; oh++) {
      const r = oh * g.strideH + pt;
      if (r < 0 || r >= h) continue;
      for (let ow = 0; ow < g.outW; ow++) {
        const col = ow * g.strideW + pl;
        if (col < 0 || col >= w) continue;
        const s0 = ((n * g.outH + oh) * g.outW + ow) * c;
        dst.set(src.subarray(s0, s0 + c), ((n * h + r) * w + col) * c);
      }
    }
  }
  return out;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
