import {
  type BackendTimingInfo,
  type BackendValues,
  type DataId,
  DataStorage,
  type DataType,
  engine,
  KernelBackend,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { TorchAddon } from './addon.js';

/** Dtype codes shared with the addon. */
const DTYPE_CODES: Record<string, number> = { float32: 0, int32: 1, bool: 2 };
const DTYPES: DataType[] = ['float32', 'int32', 'bool'];

interface TorchData {
  /** The addon's handle: one libtorch tensor per dataId, no copy per op. */
  handle: number;
  dtype: DataType;
  refCount: number;
}

function dtypeCode(dtype: DataType): number {
  const code = DTYPE_CODES[dtype];
  if (code === undefined) throw new Error(`torch backend: dtype '${dtype}' is not supported (float32, int32, bool)`);
  return code;
}

/**
 * TF.js KernelBackend whose tensor data lives in libtorch. `read`/`readSync`/`write` copy only at the JS boundary;
 * kernels pass handles to the addon and adopt the handles it returns.
 */
export class TorchBackend extends KernelBackend {
  private readonly data: DataStorage<TorchData>;

  constructor(readonly addon: TorchAddon) {
    super();
    this.data = new DataStorage(this, engine());
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    this.data.set(dataId, { handle: this.upload(values, shape, dtype), dtype, refCount: 1 });
    return dataId;
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.data.set(dataId, { handle: this.upload(values, shape, dtype), dtype, refCount });
  }

  private upload(values: BackendValues, shape: number[], dtype: DataType): number {
    if (!ArrayBuffer.isView(values))
      throw new Error(`torch backend: cannot store ${dtype} values of this kind (strings and complex are unsupported)`);
    return this.addon.write(values as Float32Array | Int32Array | Uint8Array, shape, dtypeCode(dtype));
  }

  override readSync(dataId: DataId): BackendValues {
    return this.addon.read(this.entry(dataId).handle);
  }

  override read(dataId: DataId): Promise<BackendValues> {
    return Promise.resolve(this.readSync(dataId));
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const e = this.data.get(dataId);
    if (!e) return true;
    e.refCount--;
    if (!force && e.refCount > 0) return false;
    this.addon.dispose(e.handle);
    this.data.delete(dataId);
    return true;
  }

  override refCount(dataId: DataId): number {
    return this.data.get(dataId)?.refCount ?? 0;
  }

  override incRef(dataId: DataId): void {
    const e = this.data.get(dataId);
    if (e) e.refCount++;
  }

  override numDataIds(): number {
    return this.data.numDataIds();
  }

  override memory(): { unreliable: boolean; numBytesInTorch: number; numTorchTensors: number } {
    const s = this.addon.stats();
    return { unreliable: false, numBytesInTorch: s.bytes, numTorchTensors: s.tensors };
  }

  override timerAvailable(): boolean {
    return true;
  }

  override async time(f: () => void): Promise<BackendTimingInfo> {
    const start = performance.now();
    f();
    return { kernelMs: performance.now() - start };
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  /** The engine disposes every tensor before removing a backend; nothing else holds libtorch memory. */
  override dispose(): void {}

  handleOf(info: TensorInfo): number {
    return this.entry(info.dataId).handle;
  }

  /** Run a native kernel on tensor infos (undefined = absent optional input) and adopt its outputs. */
  runNative(name: string, inputs: (TensorInfo | undefined | null)[], attrs?: object): TensorInfo[] {
    const rows = this.addon.run(
      name,
      inputs.map((t) => (t ? this.handleOf(t) : -1)),
      attrs,
    );
    return rows.map((row) => this.adopt(row));
  }

  /** A tensor info for values computed in JS (the CPU fallback's outputs). */
  makeTensorInfo(shape: number[], dtype: DataType, values: BackendValues): TensorInfo {
    return { dataId: this.write(values, shape, dtype), shape, dtype };
  }

  private adopt(row: number[]): TensorInfo {
    const [handle, code, ...shape] = row as [number, number, ...number[]];
    const dtype = DTYPES[code];
    if (!dtype) throw new Error(`torch backend: addon returned dtype code ${code}`);
    const dataId = {};
    this.data.set(dataId, { handle, dtype, refCount: 1 });
    return { dataId, shape, dtype };
  }

  private entry(dataId: DataId): TorchData {
    const e = this.data.get(dataId);
    if (!e) throw new Error('torch backend: tensor data not found (disposed, or created on another backend)');
    return e;
  }
}
