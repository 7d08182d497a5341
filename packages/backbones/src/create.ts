import type * as tf from '@tensorflow/tfjs-core';
import type {
  BackboneFactoryOptions,
  BackboneInstance,
  BackboneOutput,
  ForwardContext,
  Initializer,
  ParamGroup,
  ParamStore,
} from '@wslbench/core';
import { isRunningStat } from '@wslbench/core';
import { buildInceptionv3, inceptionv3Spec } from './inceptionv3.js';
import { type KerasBinding, NetBuilder } from './net.js';
import { buildResnet50, resnet50Spec } from './resnet50.js';
import { type BackboneSpec, parseBackboneId } from './spec.js';
import { buildVgg16, vgg16Spec } from './vgg16.js';

/** The registry: each backbone is its spec (data) plus the function that lays out its layers. */
export const BACKBONES: Readonly<Record<BackboneSpec['id'], { spec: BackboneSpec; build: (b: NetBuilder) => void }>> = {
  vgg16: { spec: vgg16Spec, build: buildVgg16 },
  resnet50: { spec: resnet50Spec, build: buildResnet50 },
  inceptionv3: { spec: inceptionv3Spec, build: buildInceptionv3 },
};

export function backboneIds(): BackboneSpec['id'][] {
  return Object.keys(BACKBONES) as BackboneSpec['id'][];
}

export function getBackboneSpec(id: string): BackboneSpec {
  const entry = BACKBONES[id as BackboneSpec['id']];
  if (!entry) throw new Error(`unknown backbone '${id}' (known: ${backboneIds().join(', ')})`);
  return entry.spec;
}

/** A built backbone: the core contract plus what methods, the trainer and the weight loader need. */
export interface WsolBackbone extends BackboneInstance {
  readonly spec: BackboneSpec;
  /** Every name `forward` passes to `ctx.tap`, in order ('cam_layer' last). */
  readonly taps: readonly string[];
  /** The truncation point, when built with `until`. */
  readonly until?: string;
  readonly kerasBindings: readonly KerasBinding[];
  /** Parameter counts: `trainable` excludes BN running stats (as PyTorch), `total` includes them (as Keras). */
  countParams(): { trainable: number; runningStats: number; total: number; byGroup: { base: number; head: number } };
}

export interface CreateBackboneOptions extends BackboneFactoryOptions {
  /**
   * Stop after this segment/tap (e.g. 'conv5' for VGG or 'Mixed_6e' for Inception, where ACoL/SPG attach their own
   * heads): later layers are not created and `features` is that tap's output.
   */
  until?: string;
}

/** `createBackbone('resnet50:w0.25', { params })`; an explicit `width` option overrides the tag. */
export function createBackbone(idWithTag: string, opts: CreateBackboneOptions): WsolBackbone {
  const { spec, width, builder } = runBuilder(
    idWithTag,
    opts.params,
    opts.prefix ?? 'encoder.',
    opts.width,
    opts.until,
  );
  return assemble(spec, builder, opts.params, opts.prefix ?? 'encoder.', width, opts.until);
}

export interface ParamShape {
  name: string;
  shape: number[];
  group: ParamGroup;
  trainable: boolean;
}

/** Layout and parameter shapes of a backbone without allocating any tensor (listing, counts, weight checks). */
export interface BackboneDescription
  extends Pick<
    WsolBackbone,
    'spec' | 'width' | 'outChannels' | 'outputStride' | 'stages' | 'insertionPoints' | 'taps'
  > {
  params: ParamShape[];
  kerasBindings: readonly KerasBinding[];
  counts: ReturnType<WsolBackbone['countParams']>;
}

export function describeBackbone(
  idWithTag: string,
  opts: { width?: number; until?: string; prefix?: string } = {},
): BackboneDescription {
  const prefix = opts.prefix ?? 'encoder.';
  const recorder = new ShapeRecorder();
  const { spec, width, builder } = runBuilder(
    idWithTag,
    recorder as unknown as ParamStore,
    prefix,
    opts.width,
    opts.until,
  );
  const meta = layout(spec, builder);
  const sum = (ps: ParamShape[]) => ps.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  const trainable = recorder.entries.filter((p) => !isRunningStat(p.name));
  return {
    spec,
    width,
    ...meta,
    params: recorder.entries,
    kerasBindings: builder.bindings,
    counts: {
      trainable: sum(trainable),
      runningStats: sum(recorder.entries.filter((p) => isRunningStat(p.name))),
      total: sum(recorder.entries),
      byGroup: {
        base: sum(trainable.filter((p) => p.group === 'base')),
        head: sum(trainable.filter((p) => p.group === 'head')),
      },
    },
  };
}

/** Stands in for a ParamStore: records names and shapes, allocates nothing (layers only keep the returned handle). */
class ShapeRecorder {
  readonly entries: ParamShape[] = [];
  add(name: string, shape: number[], _init: Initializer, group: ParamGroup, trainable = true): unknown {
    this.entries.push({ name, shape: shape.slice(), group, trainable });
    return null;
  }
  has(name: string): boolean {
    return this.entries.some((e) => e.name === name);
  }
}

function runBuilder(idWithTag: string, params: ParamStore, prefix: string, widthOpt?: number, until?: string) {
  const parsed = parseBackboneId(idWithTag);
  const spec = getBackboneSpec(parsed.id);
  const width = widthOpt ?? parsed.width ?? 1;
  if (!(width > 0 && width <= 1)) throw new Error(`backbone '${idWithTag}': width ${width} must be in (0, 1]`);
  if (until !== undefined) {
    // Validate on a dry layout first, so that a typo does not allocate a whole network.
    const names = dryNames(spec);
    if (!names.includes(until))
      throw new Error(`backbone '${spec.id}': unknown 'until' tap '${until}' (taps: ${names.join(', ')})`);
  }
  const builder = new NetBuilder(spec, params, prefix, width, until);
  BACKBONES[spec.id].build(builder);
  return { spec, width, builder };
}

function dryNames(spec: BackboneSpec): string[] {
  const b = new NetBuilder(spec, new ShapeRecorder() as unknown as ParamStore, '', 1 / 64);
  BACKBONES[spec.id].build(b);
  return b.segments.flatMap((s) => (s.alias ? [s.name, s.alias] : [s.name]));
}

function layout(spec: BackboneSpec, builder: NetBuilder) {
  const segments = builder.segments;
  const last = segments[segments.length - 1]!;
  const built = new Set(segments.map((s) => s.name));
  const taps: string[] = [];
  for (const s of segments) taps.push(s.name, ...(s.alias ? [s.alias] : []));
  taps.push('cam_layer');
  return {
    outChannels: last.outChannels,
    outputStride: last.stride,
    stages: spec.stages
      .map((st) => ({ st, seg: segments.find((s) => s.name === st.segment) }))
      .filter((e) => e.seg !== undefined)
      .map(({ st, seg }) => ({ name: st.name, channels: seg!.outChannels, stride: seg!.stride })),
    insertionPoints: spec.insertionPoints.filter((p) => built.has(p)),
    taps,
  };
}

function assemble(
  spec: BackboneSpec,
  builder: NetBuilder,
  params: ParamStore,
  prefix: string,
  width: number,
  until?: string,
): WsolBackbone {
  const segments = builder.segments;
  const last = segments[segments.length - 1]!;
  const stageOf = new Map(spec.stages.map((s) => [s.segment, s.name]));
  const meta = layout(spec, builder);
  const insertAt = new Set(meta.insertionPoints);
  const ownParams = () => params.all().filter((p) => p.name.startsWith(prefix));

  return {
    id: spec.id,
    spec,
    width,
    until,
    ...meta,
    mean: spec.mean,
    std: spec.std,
    params,
    prefix,
    kerasBindings: builder.bindings,

    forward(x: tf.Tensor4D, ctx: ForwardContext): BackboneOutput {
      if (x.shape[1] % 8 !== 0 || x.shape[2] % 8 !== 0 || x.shape[3] !== 3) {
        throw new Error(`backbone '${spec.id}': input must be [N, H, W, 3] with H, W divisible by 8, got [${x.shape}]`);
      }
      const stages: Record<string, tf.Tensor4D> = {};
      let y = x;
      for (const s of segments) {
        y = s.run(y, ctx);
        if (ctx.insert && insertAt.has(s.name)) y = ctx.insert(s.name, y);
        if (ctx.tap) {
          y = ctx.tap(s.name, y);
          if (s.alias) y = ctx.tap(s.alias, y);
        }
        const stage = stageOf.get(s.name);
        if (stage) stages[stage] = y;
      }
      // The tapped CAM-layer tensor is what flows on (a gradient method may have wrapped it).
      if (ctx.tap) {
        y = ctx.tap('cam_layer', y);
        const lastStage = stageOf.get(last.name);
        if (lastStage) stages[lastStage] = y;
      }
      return { features: y, stages };
    },

    setBatchNormFrozen(frozen: boolean): void {
      for (const bn of builder.batchNorms) bn.frozen = frozen;
    },

    countParams() {
      const own = ownParams();
      const trainable = own.filter((p) => !isRunningStat(p.name));
      const sum = (ps: typeof own) => ps.reduce((s, p) => s + p.variable.size, 0);
      return {
        trainable: sum(trainable),
        runningStats: sum(own.filter((p) => isRunningStat(p.name))),
        total: sum(own),
        byGroup: {
          base: sum(trainable.filter((p) => p.group === 'base')),
          head: sum(trainable.filter((p) => p.group === 'head')),
        },
      };
    },
  };
}
