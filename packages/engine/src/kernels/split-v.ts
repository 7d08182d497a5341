import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type SplitVAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-calls.js';

/**
 * wasm's SplitV slices piece by piece with strided copies; as the gradient of every channel concat (U-Net decoder
 * skips, Inception blocks) it took ~9 s of a 10 s U-Net step. This one copies contiguous runs with
 * TypedArray.set: for each of the `outer` blocks before the axis, piece k takes sizes[k] x inner values.
 */
function splitV(args: { inputs: { x: TensorInfo }; attrs: SplitVAttrs; backend: WasmBackendLike }): TensorInfo[] {
  const { inputs, attrs, backend } = args;
  const { x } = inputs;
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits, axis);
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const row = x.shape[axis]! * inner;
  const src = backend.typedArrayFromHeap(x) as unknown as Float32Array;
  let begin = 0;
  return sizes.map((size) => {
    const shape = x.shape.slice();
    shape[axis] = size;
    const out = backend.makeOutput(shape, x.dtype as 'float32');
    const dst = backend.typedArrayFromHeap(out) as unknown as Float32Array;
    const run = size * inner;
    for (let o = 0; o < outer; o++) dst.set(src.subarray(o * row + begin, o * row + begin + run), o * run);
    begin += run;
    return out;
  });
}

export const splitVConfig: KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'wasm',
  kernelFunc: splitV as unknown as KernelFunc,
};
