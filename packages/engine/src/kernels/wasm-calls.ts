import {
  getKernel,
  type KernelBackend,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

/** The slice of the wasm backend (BackendWasm) that the engine kernels use. */
export interface WasmBackendLike extends KernelBackend {
  makeOutput(shape: number[], dtype: 'float32' | 'int32' | 'bool'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

export type Pads4 = [[number, number], [number, number], [number, number], [number, number]];

/**
 * Run a kernel of the wasm backend itself (XNNPACK conv, transpose, ...) on tensor infos. Looked up on every call so
 * that the wasm originals are used, never one of ours (we only replace kernels whose originals we keep aside).
 */
export function runWasmKernel(
  name: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
  backend: WasmBackendLike,
): TensorInfo {
  const original = originals.get(name) ?? getKernel(name, 'wasm');
  if (!original) throw new Error(`engine: the wasm backend has no '${name}' kernel to build on`);
  const out = original.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) throw new Error(`engine: wasm kernel '${name}' returned several outputs`);
  return out;
}

/** Original wasm kernels that the engine overrides (e.g. BatchMatMul), kept to build the replacements on. */
export const originals = new Map<string, NonNullable<ReturnType<typeof getKernel>>>();

export function dispose(backend: WasmBackendLike, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

export function transpose(backend: WasmBackendLike, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel('Transpose', { x }, { perm }, backend);
}

export function reshape(backend: WasmBackendLike, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasmKernel('Reshape', { x }, { shape }, backend);
}

export function slice(backend: WasmBackendLike, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return runWasmKernel('Slice', { x }, { begin, size }, backend);
}

/** XNNPACK conv2d forward (NHWC input, HWIO filter) with explicit, possibly asymmetric padding. */
export function conv2dForward(
  backend: WasmBackendLike,
  x: TensorInfo,
  filter: TensorInfo,
  opts: { strides?: [number, number]; dilations?: [number, number]; pads: [number, number, number, number] },
): TensorInfo {
  const [t, b, l, r] = opts.pads;
  const pad: Pads4 = [
    [0, 0],
    [t, b],
    [l, r],
    [0, 0],
  ];
  return runWasmKernel(
    'Conv2D',
    { x, filter },
    {
      strides: opts.strides ?? [1, 1],
      dilations: opts.dilations ?? [1, 1],
      pad,
      dataFormat: 'NHWC',
    } as unknown as NamedAttrMap,
    backend,
  );
}

export function stridedSlice(
  backend: WasmBackendLike,
  x: TensorInfo,
  begin: number[],
  end: number[],
  strides: number[],
): TensorInfo {
  return runWasmKernel(
    'StridedSlice',
    { x },
    { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
    backend,
  );
}
