import type { KernelConfig, KernelFunc, ResizeNearestNeighborGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-calls.js';

/**
 * wasm's ResizeNearestNeighborGrad disagrees with the cpu backend (and with the forward op it differentiates): the
 * U-Net decoder's x2 nearest upsampling needs it. This one maps every output pixel to its source pixel with the
 * forward op's own rule (TF: alignCorners -> round, halfPixelCenters -> +0.5 then floor, else floor) and adds dy.
 */
export function nearestSourceIndex(
  out: number,
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixel: boolean,
): number {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const frac = (effIn / effOut) * (halfPixel ? out + 0.5 : out);
  let src = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  if (halfPixel) src = Math.max(0, src);
  return src;
}

function resizeNearestNeighborGrad(args: {
  inputs: { images: TensorInfo; dy: TensorInfo };
  attrs: ResizeNearestNeighborGradAttrs;
  backend: WasmBackendLike;
}): TensorInfo {
  const { inputs, attrs, backend } = args;
  const { images, dy } = inputs;
  const [n, h, w, c] = images.shape as [number, number, number, number];
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const g = backend.typedArrayFromHeap(dy);
  const out = backend.makeOutput(images.shape, 'float32');
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const rows = Array.from({ length: oh }, (_, y) =>
    nearestSourceIndex(y, h, oh, attrs.alignCorners, attrs.halfPixelCenters),
  );
  const cols = Array.from({ length: ow }, (_, x) =>
    nearestSourceIndex(x, w, ow, attrs.alignCorners, attrs.halfPixelCenters),
  );
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++) {
        const src = ((b * h + rows[y]!) * w + cols[x]!) * c;
        const dst = ((b * oh + y) * ow + x) * c;
        for (let ch = 0; ch < c; ch++) dx[src + ch]! += g[dst + ch]!;
      }
  return out;
}

export const resizeNearestNeighborGradConfig: KernelConfig = {
  kernelName: 'ResizeNearestNeighborGrad',
  backendName: 'wasm',
  kernelFunc: resizeNearestNeighborGrad as unknown as KernelFunc,
};
