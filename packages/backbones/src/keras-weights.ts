import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type BackboneDescription, describeBackbone, getBackboneSpec, type WsolBackbone } from './create.js';
import { type KerasTensor, type KerasWeightsFile, readKerasH5 } from './keras-h5.js';
import type { KerasBinding, KerasLayerRef } from './net.js';
import type { BackboneSpec } from './spec.js';

/** keras.applications 'caffe' mode: BGR, 0-255, minus this per-channel (B, G, R) mean. */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

export interface KerasMatchReport {
  backbone: string;
  file: string;
  /** Our tensors filled from the file. */
  matchedTensors: number;
  matchedLayers: number;
  /** Our parameters the file does not provide: the layers the WSOL form adds (they keep their initialisation). */
  keptInit: string[];
  /** Keras layers with weights that the WSOL form does not use (e.g. InceptionV3 Mixed_7*). */
  ignoredLayers: string[];
  /** Missing layers, wrong tensor counts or shapes: any of these makes loading fail. */
  problems: string[];
}

export interface KerasLoadOptions {
  /**
   * Fold the Keras input convention ('caffe' BGR 0-255 minus mean, or 'tf' [-1, 1]) into the first conv, so that the
   * backbone keeps taking ImageNet mean/std normalised RGB like the reference (default true).
   */
  foldPreprocessing?: boolean;
}

/** `--weights PATH` if given, else `$WSLBENCH_WEIGHTS_DIR/<standard Keras file name>`. */
export function resolveKerasWeightsPath(
  backboneId: string,
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (explicit) return explicit;
  const spec = getBackboneSpec(backboneId);
  const dir = env.WSLBENCH_WEIGHTS_DIR;
  if (!dir)
    throw new Error(
      `no weights for '${spec.id}': pass --weights PATH or set WSLBENCH_WEIGHTS_DIR (expects ${spec.keras.file})`,
    );
  return join(dir, spec.keras.file);
}

/** Which backbone a Keras file belongs to, from its layer names. */
export function identifyKerasFile(file: KerasWeightsFile): BackboneSpec['id'] | undefined {
  const names = new Set(file.layerNames);
  if (names.has('block1_conv1')) return 'vgg16';
  if (names.has('conv1_conv') || names.has('res2a_branch2a')) return 'resnet50';
  if (names.has('mixed0') || file.layerNames.filter((n) => /^conv2d(_\d+)?$/.test(n)).length >= 94)
    return 'inceptionv3';
  return undefined;
}

/** Resolves a binding's Keras layer: by name (or legacy alias), or by class and creation rank (numeric suffix order). */
function resolveLayer(ref: KerasLayerRef, file: KerasWeightsFile, ranks: Map<string, string[]>): string | undefined {
  if ('name' in ref) return [ref.name, ...(ref.aliases ?? [])].find((n) => file.weights.has(n));
  let ranked = ranks.get(ref.className);
  if (!ranked) {
    const re = new RegExp(`^${ref.className}(?:_(\\d+))?$`);
    ranked = [...file.weights.keys()]
      .map((n) => ({ n, m: re.exec(n) }))
      .filter((e) => e.m !== null)
      .sort((a, b) => Number(a.m![1] ?? 0) - Number(b.m![1] ?? 0))
      .map((e) => e.n);
    ranks.set(ref.className, ranked);
  }
  return ranked[ref.ordinal - 1];
}

function describeRef(ref: KerasLayerRef): string {
  return 'name' in ref ? `'${[ref.name, ...(ref.aliases ?? [])].join("' or '")}'` : `${ref.className} #${ref.ordinal}`;
}

/** Pairs our parameters with the file's tensors; checks counts and shapes. Allocates nothing. */
export function matchKerasWeights(
  target: {
    id: string;
    width: number;
    bindings: readonly KerasBinding[];
    params: readonly { name: string; shape: readonly number[] }[];
  },
  file: KerasWeightsFile,
): { report: KerasMatchReport; assignments: Map<string, KerasTensor> } {
  const shapes = new Map(target.params.map((p) => [p.name, p.shape]));
  const assignments = new Map<string, KerasTensor>();
  const problems: string[] = [];
  const used = new Set<string>();
  const ranks = new Map<string, string[]>();
  let matchedLayers = 0;
  for (const b of target.bindings) {
    const layer = resolveLayer(b.ref, file, ranks);
    if (!layer) {
      problems.push(`missing Keras layer ${describeRef(b.ref)} (for ${b.params.join(', ')})`);
      continue;
    }
    used.add(layer);
    const tensors = file.weights.get(layer)!;
    if (tensors.length !== b.params.length) {
      problems.push(
        `layer '${layer}': ${tensors.length} tensors in the file, expected ${b.params.length} (${b.params.join(', ')})`,
      );
      continue;
    }
    let ok = true;
    b.params.forEach((param, i) => {
      const t = tensors[i]!;
      const want = shapes.get(param);
      if (!want || want.join('x') !== t.shape.join('x')) {
        problems.push(
          `layer '${layer}' tensor '${t.name}': shape [${t.shape}] does not fit '${param}' [${want ?? '?'}]`,
        );
        ok = false;
      } else assignments.set(param, t);
    });
    if (ok) matchedLayers++;
  }
  if (problems.length && target.width !== 1)
    problems.push(`(the backbone has width ${target.width}: Keras ImageNet weights fit width 1 only)`);
  return {
    assignments,
    report: {
      backbone: target.width === 1 ? target.id : `${target.id}:w${target.width}`,
      file: file.path,
      matchedTensors: assignments.size,
      matchedLayers,
      keptInit: target.params.map((p) => p.name).filter((n) => !assignments.has(n) && !bound(target.bindings, n)),
      ignoredLayers: [...file.weights.keys()].filter((n) => !used.has(n)),
      problems,
    },
  };
}

function bound(bindings: readonly KerasBinding[], param: string): boolean {
  return bindings.some((b) => b.params.includes(param));
}

/**
 * Kernel and shift that make the first conv take ImageNet-normalised RGB x = (rgb01 - mean) / std where the Keras
 * weights expect caffe (BGR*255 - mean_bgr) or tf (2*rgb01 - 1) inputs. Exact away from the zero-padded border.
 */
export function foldInputConvention(
  kernel: KerasTensor,
  mode: BackboneSpec['keras']['preprocessing'],
  mean: readonly number[],
  std: readonly number[],
): { kernel: Float32Array; shift: Float32Array } {
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  if (cin !== 3) throw new Error(`preprocessing fold: first conv must have 3 input channels, got ${cin}`);
  const out = new Float32Array(kernel.data.length);
  const shift = new Float32Array(cout);
  for (let p = 0; p < kh * kw; p++) {
    for (let c = 0; c < 3; c++) {
      // Keras input channel fed by our RGB channel c, and x_keras = scale * x_ours + offset on that channel.
      const kc = mode === 'caffe' ? 2 - c : c;
      const scale = mode === 'caffe' ? 255 * std[c]! : 2 * std[c]!;
      const offset = mode === 'caffe' ? 255 * mean[c]! - CAFFE_MEAN_BGR[kc]! : 2 * mean[c]! - 1;
      for (let o = 0; o < cout; o++) {
        const w = kernel.data[(p * 3 + kc) * cout + o]!;
        out[(p * 3 + c) * cout + o] = w * scale;
        shift[o]! += w * offset;
      }
    }
  }
  return { kernel: out, shift };
}

/** Applies the fold to the matched tensors (first conv kernel; its bias, or the following BN's moving mean). */
function foldedAssignments(
  assignments: Map<string, KerasTensor>,
  bindings: readonly KerasBinding[],
  spec: BackboneSpec,
): Map<string, KerasTensor> {
  const first = bindings.find((b) => b.inputConv);
  const kernel = first && assignments.get(first.params[0]!);
  const shiftTarget = first?.inputConv && assignments.get(first.inputConv.shiftParam);
  if (!first?.inputConv || !kernel || !shiftTarget) return assignments;
  const { kernel: k, shift } = foldInputConvention(kernel, spec.keras.preprocessing, spec.mean, spec.std);
  const shifted = shiftTarget.data.map((v, o) => v + first.inputConv!.sign * shift[o]!);
  const out = new Map(assignments);
  out.set(first.params[0]!, { ...kernel, data: k });
  out.set(first.inputConv.shiftParam, { ...shiftTarget, data: shifted });
  return out;
}

/** Loads a Keras ImageNet `*_notop.h5` into a built backbone. Throws, listing every problem, if anything does not fit. */
export async function loadKerasWeights(
  backbone: WsolBackbone,
  path: string,
  opts: KerasLoadOptions = {},
): Promise<KerasMatchReport> {
  const file = await readKerasH5(path);
  const params = backbone.params.all().filter((p) => p.name.startsWith(backbone.prefix));
  const { report, assignments } = matchKerasWeights(
    {
      id: backbone.id,
      width: backbone.width,
      bindings: backbone.kerasBindings,
      params: params.map((p) => ({ name: p.name, shape: p.variable.shape })),
    },
    file,
  );
  if (report.problems.length) {
    throw new Error(
      `Keras weights '${path}' do not fit ${report.backbone} (${report.problems.length} problem(s)):\n  ${report.problems.join('\n  ')}`,
    );
  }
  const final =
    (opts.foldPreprocessing ?? true)
      ? foldedAssignments(assignments, backbone.kerasBindings, backbone.spec)
      : assignments;
  for (const [name, t] of final) {
    const v = backbone.params.get(name).variable;
    tf.tidy(() => v.assign(tf.tensor(t.data, t.shape, 'float32')));
  }
  return report;
}

/** `wslbench weights check`: identifies the backbone and matches every tensor against the full-width layout. */
export async function checkKerasWeights(
  path: string,
): Promise<KerasMatchReport & { description?: BackboneDescription }> {
  const file = await readKerasH5(path);
  const id = identifyKerasFile(file);
  if (!id) {
    return {
      backbone: 'unknown',
      file: path,
      matchedTensors: 0,
      matchedLayers: 0,
      keptInit: [],
      ignoredLayers: [...file.weights.keys()],
      problems: [`no known backbone's layer names (first layers: ${file.layerNames.slice(0, 5).join(', ')})`],
    };
  }
  const description = describeBackbone(id);
  const { report } = matchKerasWeights(
    { id, width: 1, bindings: description.kerasBindings, params: description.params },
    file,
  );
  return { ...report, description };
}
