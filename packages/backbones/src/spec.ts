import type { ParamGroup } from '@wslbench/core';

/** How the Keras ImageNet weights expect their input (keras.applications `preprocess_input` modes). */
export type KerasPreprocessing = 'caffe' | 'tf';

/** The data that describes one backbone (timm-style `default_cfg` + the hooks the WSOL methods need). */
export interface BackboneSpec {
  id: 'vgg16' | 'resnet50' | 'inceptionv3';
  title: string;
  /** The paper's input size (224) and the CPU default (input size, width multiplier). */
  inputSize: number;
  cpuDefault: { width: number; inputSize: number };
  /** Input normalisation: ImageNet mean/std for all three, as the reference (Inception included). */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  outputStride: number;
  /** Tap name of the CAM layer (also always tapped as 'cam_layer'). */
  camLayer: string;
  /** Decoder stages (shallow to deep) and the segment whose output each one is. */
  stages: readonly { name: string; segment: string }[];
  /** ADL insertion points (segment names, in order). */
  insertionPoints: readonly string[];
  /** Intermediate features that ACoL/SPG side heads (or `until`) can use, besides every segment name. */
  sideTaps: Readonly<Record<string, string>>;
  /** Which segments are trained at the 'head' learning rate (10x in the reference); the rest are 'base'. */
  headSegments: readonly string[];
  /** Keras ImageNet weights (include_top=False) and their input convention. */
  keras: { file: string; url: string; preprocessing: KerasPreprocessing };
  /** Where the WSOL form departs from the Keras / torchvision model (documented in the README). */
  notes: readonly string[];
}

/** `vgg16`, `resnet50:w0.25`, `inceptionv3:w0.125` -> id and width. */
export function parseBackboneId(idWithTag: string): { id: string; width?: number } {
  const [id, ...tags] = idWithTag.trim().toLowerCase().split(':');
  let width: number | undefined;
  for (const tag of tags) {
    const m = /^w(\d*\.?\d+)$/.exec(tag);
    if (!m) throw new Error(`backbone '${idWithTag}': unknown tag '${tag}' (expected w<width>, e.g. 'resnet50:w0.25')`);
    width = Number(m[1]);
    if (!(width > 0 && width <= 1)) throw new Error(`backbone '${idWithTag}': width ${width} must be in (0, 1]`);
  }
  if (!id) throw new Error(`backbone '${idWithTag}': empty id`);
  return { id, width };
}

/** Channels of a layer at width multiplier w: rounded, at least `min` (so that tiny variants keep every layer). */
export function scaleChannels(channels: number, width: number, min = 4): number {
  if (width === 1) return channels;
  return Math.max(min, Math.round(channels * width));
}

export function groupOf(spec: BackboneSpec, segment: string): ParamGroup {
  return spec.headSegments.includes(segment) ? 'head' : 'base';
}
