import {
  backend_util,
  engine,
  getKernelsForBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  registerKernel,
  slice_util,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { TorchBackend } from './backend.js';

export const BACKEND_NAME = 'torch';

type Attrs = NamedAttrMap & Record<string, unknown>;
/** How one TF.js kernel maps onto a native one: its inputs in the addon's order, and its attributes as the addon reads them. */
interface NativeSpec {
  inputs: string[];
  attrs?: (attrs: Attrs, inputs: NamedTensorInfoMap) => object;
  /** Some TF.js calls of this kernel the addon does not do (e.g. negative strides): those run on the CPU fallback. */
  native?: (attrs: Attrs, inputs: NamedTensorInfoMap) => boolean;
  /** The addon's kernel, when its name differs. */
  op?: string;
}

/** TF's padding resolved to explicit top/bottom/left/right, as the addon's convolutions and pools take it. */
function geometry(info: backend_util.Conv2DInfo) {
  return {
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    filterSize: [info.filterHeight, info.filterWidth],
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
}

const shapeOf = (inputs: NamedTensorInfoMap, name: string) => (inputs[name] as TensorInfo).shape;
type Rank4 = [number, number, number, number];
const nhwcOnly = (a: Attrs) => a.dataFormat === undefined || a.dataFormat === 'NHWC' || a.dataFormat === 'channelsLast';

function convGeometry(xShape: number[], filterShape: number[], a: Attrs, depthwise = false) {
  return geometry(
    backend_util.computeConv2DInfo(
      xShape as Rank4,
      filterShape as Rank4,
      a.strides as number | [number, number],
      (a.dilations ?? 1) as number | [number, number],
      a.pad as backend_util.PadInfo['type'] & ('same' | 'valid'),
      a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
      depthwise,
    ),
  );
}

function poolGeometry(xShape: number[], a: Attrs) {
  return geometry(
    backend_util.computePool2DInfo(
      xShape as Rank4,
      a.filterSize as number | [number, number],
      a.strides as number | [number, number],
      1,
      a.pad as 'same' | 'valid' | number,
      a.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    ),
  );
}

const UNARY = [
  'Neg',
  'Abs',
  'Sign',
  'Exp',
  'Expm1',
  'Log',
  'Log1p',
  'Sqrt',
  'Rsqrt',
  'Square',
  'Reciprocal',
  'Relu',
  'Relu6',
  'Elu',
  'Selu',
  'Sigmoid',
  'Softplus',
  'Tanh',
  'Sin',
  'Cos',
  'Erf',
  'Floor',
  'Ceil',
  'Round',
  'IsNan',
  'IsInf',
  'IsFinite',
  'LogicalNot',
  'Identity',
  'ZerosLike',
  'OnesLike',
  'Step',
  'LeakyRelu',
  'ClipByValue',
  'Cast',
  'Reshape',
  'Transpose',
  'Reverse',
  'Slice',
  'Tile',
  'Cumsum',
  'Softmax',
  'ArgMax',
  'ArgMin',
  'TopK',
  'Unpack',
  'MaxPool',
  'AvgPool',
  'ResizeBilinear',
  'ResizeNearestNeighbor',
];
const BINARY = [
  'Add',
  'Sub',
  'Multiply',
  'RealDiv',
  'FloorDiv',
  'Mod',
  'Maximum',
  'Minimum',
  'Pow',
  'SquaredDifference',
  'Atan2',
  'Greater',
  'GreaterEqual',
  'Less',
  'LessEqual',
  'Equal',
  'NotEqual',
  'LogicalAnd',
  'LogicalOr',
  'LogicalXor',
  'BatchMatMul',
];

/** Every kernel the addon runs natively, with its TF.js input names and attribute mapping. */
export const NATIVE_KERNELS: Record<string, NativeSpec> = {
  ...Object.fromEntries(
    UNARY.map((k) => [
      k,
      { inputs: [k === 'Softmax' ? 'logits' : k === 'Unpack' ? 'value' : k.startsWith('Resize') ? 'images' : 'x'] },
    ]),
  ),
  ...Object.fromEntries(BINARY.map((k) => [k, { inputs: ['a', 'b'] }])),
  Prelu: { inputs: ['x', 'alpha'] },
  SplitV: {
    inputs: ['x'],
    attrs: (a, i) => ({
      sizeSplits: backend_util.prepareSplitSize(
        i.x as TensorInfo,
        a.numOrSizeSplits as number | number[],
        a.axis as number,
      ),
      axis: util.parseAxisParam(a.axis as number, shapeOf(i, 'x'))[0],
    }),
  },
  EluGrad: { inputs: ['dy', 'y'] },
  /** wslbench's own kernels (not TF.js's): training batch norm forward/backward in one pass each (core's BatchNorm). */
  TorchBatchNormTrain: { inputs: ['x', 'scale', 'offset'] },
  TorchBatchNormTrainGrad: { inputs: ['dy', 'x', 'scale', 'mean', 'invstd'] },
  /** wslbench's own (not a TF.js kernel): the ReLU gradient in one pass; the engine's Relu gradient uses it on torch. */
  TorchReluGrad: { inputs: ['dy', 'x'] },
  Select: { inputs: ['condition', 't', 'e'] },
  GatherV2: { inputs: ['x', 'indices'] },
  OneHot: { inputs: ['indices'] },
  Fill: { inputs: [] },
  Range: { inputs: [] },
  // Reductions: a null axis means every axis (the addon always gets the explicit list).
  ...Object.fromEntries(
    ['Sum', 'Mean', 'Prod', 'Min', 'All', 'Any', 'Max'].map((k) => [
      k,
      {
        inputs: ['x'],
        attrs: (a: Attrs, i: NamedTensorInfoMap) => ({
          axis: util.parseAxisParam((k === 'Max' ? a.reductionIndices : a.axis) as number | number[], shapeOf(i, 'x')),
          keepDims: a.keepDims,
        }),
      },
    ]),
  ),
  PadV2: {
    inputs: ['x'],
    attrs: (a) => ({ paddings: (a.paddings as number[][]).flat(), constantValue: a.constantValue }),
  },
  StridedSlice: {
    inputs: ['x'],
    native: (a, i) => (a.strides as number[]).every((s) => s > 0) && shapeOf(i, 'x').length > 0,
    attrs: (a, i) => {
      const info = slice_util.sliceInfo(
        shapeOf(i, 'x'),
        a.begin as number[],
        a.end as number[],
        a.strides as number[],
        a.beginMask as number,
        a.endMask as number,
        a.ellipsisMask as number,
        a.newAxisMask as number,
        a.shrinkAxisMask as number,
      );
      return { begin: info.begin, end: info.end, strides: info.strides, finalShape: info.finalShape };
    },
  },
  _FusedMatMul: { inputs: ['a', 'b', 'bias', 'preluActivationWeights'] },
  FusedBatchNorm: { inputs: ['x', 'mean', 'variance', 'offset', 'scale'] },
  Conv2D: {
    inputs: ['x', 'filter'],
    native: nhwcOnly,
    attrs: (a, i) => convGeometry(shapeOf(i, 'x'), shapeOf(i, 'filter'), a),
  },
  FusedConv2D: {
    inputs: ['x', 'filter', 'bias', 'preluActivationWeights'],
    native: nhwcOnly,
    attrs: (a, i) => ({
      ...convGeometry(shapeOf(i, 'x'), shapeOf(i, 'filter'), a),
      activation: a.activation,
      leakyreluAlpha: a.leakyreluAlpha,
    }),
  },
  DepthwiseConv2dNative: {
    inputs: ['x', 'filter'],
    native: nhwcOnly,
    attrs: (a, i) => convGeometry(shapeOf(i, 'x'), shapeOf(i, 'filter'), a, true),
  },
  Conv2DBackpropInput: {
    inputs: ['dy', 'filter'],
    native: nhwcOnly,
    attrs: (a, i) => ({
      ...convGeometry(a.inputShape as number[], shapeOf(i, 'filter'), a),
      inputShape: a.inputShape,
    }),
  },
  Conv2DBackpropFilter: {
    inputs: ['x', 'dy'],
    native: nhwcOnly,
    attrs: (a, i) => ({
      ...convGeometry(shapeOf(i, 'x'), a.filterShape as number[], a),
      filterShape: a.filterShape,
    }),
  },
  MaxPool: { inputs: ['x'], attrs: (a, i) => poolGeometry(shapeOf(i, 'x'), a) },
  AvgPool: { inputs: ['x'], attrs: (a, i) => poolGeometry(shapeOf(i, 'x'), a) },
  MaxPoolGrad: { inputs: ['dy', 'input', 'output'], attrs: (a, i) => poolGeometry(shapeOf(i, 'input'), a) },
  AvgPoolGrad: { inputs: ['dy', 'input'], attrs: (a, i) => poolGeometry(shapeOf(i, 'input'), a) },
  ResizeBilinearGrad: { inputs: ['dy', 'images'] },
  ResizeNearestNeighborGrad: { inputs: ['dy', 'images'] },
  Einsum: { inputs: [] },
  Concat: { inputs: [] },
  AddN: { inputs: [] },
  ExpandDims: { inputs: ['input'] },
  Pack: { inputs: [] },
};

/** Kernels whose inputs are a list (TF.js passes them as an array-like map 0..n-1). */
const LIST_INPUTS = new Set(['Concat', 'Pack', 'Einsum', 'AddN']);

function nativeKernel(name: string, spec: NativeSpec, fallback: KernelFunc | null): KernelFunc {
  return (args) => {
    const backend = args.backend as TorchBackend;
    const attrs = (args.attrs ?? {}) as Attrs;
    if (spec.native && !spec.native(attrs, args.inputs)) {
      if (!fallback) throw new Error(`torch backend: ${name} with these attributes is not supported`);
      return fallback(args);
    }
    const inputs = LIST_INPUTS.has(name)
      ? Object.values(args.inputs as Record<string, TensorInfo>)
      : spec.inputs.map((n) => args.inputs[n] as TensorInfo | undefined);
    const outs = backend.runNative(spec.op ?? name, inputs, spec.attrs ? spec.attrs(attrs, args.inputs) : attrs);
    return outs.length === 1 && !MULTI_OUTPUT.has(name) ? outs[0]! : outs;
  };
}

const MULTI_OUTPUT = new Set(['SplitV', 'Unpack', 'TopK', 'TorchBatchNormTrain', 'TorchBatchNormTrainGrad']);

/**
 * A kernel the addon lacks, run by the TF.js CPU backend: inputs copied out of libtorch, outputs copied back. Slow,
 * but it keeps a new method working on torch; `fallbackKernelsUsed()` names them so tests can keep them out of
 * wslbench's own paths.
 */
function cpuFallback(config: KernelConfig): KernelFunc {
  return (args) => {
    const torch = args.backend as TorchBackend;
    const cpu = engine().findBackend('cpu');
    if (!cpu)
      throw new Error(`torch backend: ${config.kernelName} needs the CPU fallback, but no 'cpu' backend is registered`);
    fallbacksUsed.add(config.kernelName);
    const created: TensorInfo[] = [];
    const toCpu = (t: TensorInfo): TensorInfo => {
      const info = { dataId: cpu.write(torch.readSync(t.dataId), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
      created.push(info);
      return info;
    };
    const inputs: NamedTensorInfoMap = {};
    for (const [k, t] of Object.entries(args.inputs)) if (t) inputs[k] = toCpu(t);
    const out = config.kernelFunc({ inputs, attrs: args.attrs, backend: cpu });
    const outs = Array.isArray(out) ? out : [out];
    const back = outs.map((o) => {
      const info = torch.makeTensorInfo(o.shape, o.dtype, cpu.readSync(o.dataId));
      cpu.disposeData(o.dataId);
      return info;
    });
    for (const t of created) cpu.disposeData(t.dataId);
    return Array.isArray(out) ? back : back[0]!;
  };
}

const fallbacksUsed = new Set<string>();
/** Kernels that ran on the CPU fallback since the process started. */
export function fallbackKernelsUsed(): string[] {
  return [...fallbacksUsed].sort();
}

let registered = false;
/**
 * Register the torch backend's kernels in one loop: native where the addon has the kernel, otherwise the CPU
 * fallback for every kernel the TF.js CPU backend has. Idempotent.
 */
export function registerTorchKernels(nativeInAddon: readonly string[]): { native: string[]; fallback: string[] } {
  const have = new Set(nativeInAddon);
  const cpuKernels = new Map(getKernelsForBackend('cpu').map((k) => [k.kernelName, k]));
  const native: string[] = [];
  const fallback: string[] = [];
  for (const [name, spec] of Object.entries(NATIVE_KERNELS)) {
    if (!have.has(spec.op ?? name)) continue;
    const cpu = cpuKernels.get(name);
    if (!registered)
      registerKernel({
        kernelName: name,
        backendName: BACKEND_NAME,
        kernelFunc: nativeKernel(name, spec, cpu ? cpuFallback(cpu) : null),
      });
    native.push(name);
  }
  for (const [name, config] of cpuKernels) {
    if (native.includes(name)) continue;
    if (!registered) registerKernel({ kernelName: name, backendName: BACKEND_NAME, kernelFunc: cpuFallback(config) });
    fallback.push(name);
  }
  registered = true;
  return { native: native.sort(), fallback: fallback.sort() };
}
