import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { BackboneInstance } from './backbone.js';
import type { Batch } from './data-types.js';
import type { ParamStore, WeightSnapshot } from './nn/params.js';
import type { Rng } from './seeds.js';

export type MethodFamily = 'pooling' | 'cam' | 'gradient' | 'erasing' | 'decoder' | 'supervised';

/** Weakly supervised: image-level labels only; fully supervised: trained on pixel masks (U-Net, the upper bound). */
export type MethodGroup = 'weakly-supervised' | 'fully-supervised';

/**
 * What a method is, for people: tables, charts, `wslbench list` and docs/methods.md read it from here (results
 * records carry it, see `describeMethod`).
 */
export interface MethodDescription {
  id: string;
  /** Name shown in tables, charts and `wslbench list` (the paper's Table 1 name). */
  title: string;
  citation: string;
  family: MethodFamily;
  /** Row label in the paper's tables (packages/report/data/paper-tables.json); absent: the paper has no row. */
  paperKey?: string;
  /** Default 'weakly-supervised'. */
  group?: MethodGroup;
  /** One line each for docs/methods.md: what is trained, and the map `localize` returns. */
  summary?: { trained: string; map: string };
}

/** AlgoPerf-style search space entry for one hyper-parameter. */
export type SearchDim =
  | { min: number; max: number; scaling: 'linear' | 'log' }
  | { feasiblePoints: readonly (number | string | boolean)[] };

export interface MethodRequirements {
  /** Id of a method whose trained classifier this one needs (NEGEV: 'cam'). */
  classifierFrom?: string;
  /** Needs full pixel masks for training (U-Net). */
  pixelMasks?: boolean;
  /** Uses fully negative samples when the dataset has them (NEGEV's D- term). */
  fullyNegative?: boolean;
}

/** Everything `build` gets besides the backbone. */
export interface BuildContext<H> {
  numClasses: number;
  hp: H;
  /** The store the backbone was built into; heads add their variables here. */
  params: ParamStore;
  /** Input size of training crops (e.g. 224, or 64 for CPU runs). */
  inputSize: number;
  rng: Rng;
  /** Weights of the prerequisite run (requirements.classifierFrom), when the method declares one. */
  pretrained?: { method: string; weights: WeightSnapshot };
}

/** Per-step context: the seeded stream for the method's own randomness (HaS, CutMix, NEGEV sampling...). */
export interface StepContext<H> {
  hp: H;
  rng: Rng;
  epoch: number;
  step: number;
  numClasses: number;
}

/** What `localize` gets at evaluation: the method's hyper-parameters and the evaluation's own seeded stream. */
export interface LocalizeContext<H> {
  hp: H;
  /** Randomness of the maps (e.g. Smooth-GradCAM++ noise), seeded per evaluated split and epoch. */
  rng: Rng;
  numClasses: number;
}

/** A built model: the variables live in `params`; `dispose` releases them and anything else the model holds. */
export interface MethodModel {
  readonly backbone: BackboneInstance;
  readonly params: ParamStore;
  dispose(): void;
}

/**
 * The contract every method package implements, as one plain object. The trainer never branches on method ids.
 * All tensor-returning functions are called inside tf.tidy by the caller (except where gradients are needed).
 */
export interface WslMethod<H = Record<string, unknown>, M extends MethodModel = MethodModel> extends MethodDescription {
  /** Hyper-parameters with defaults (`schema.parse({})` gives the defaults). Strict: unknown keys rejected. */
  hyperparams: z.ZodType<H>;
  searchSpace: Partial<Record<keyof H & string, SearchDim>>;
  requirements: MethodRequirements;
  /** Reference-code behaviours offered as named options (docs/methods.md lists them; the README explains them). */
  referenceOptions?: Partial<Record<keyof H & string, string>>;
  /**
   * Id of the method whose training this one is, exactly (same build, loss and hyper-parameters that reach them),
   * under these hyper-parameters; default: its own id. It keys the training's random streams, so runs of different
   * methods that agree on it (and on their run config apart from method and hp) train identical weights and the
   * trainer may train them once (trainShared). Localization and selection stay each method's own.
   */
  trainingOf?(hp: H): string;
  build(backbone: BackboneInstance, ctx: BuildContext<H>): M;
  /** Scalar training loss for a batch (training-mode forward). */
  loss(model: M, batch: Batch, ctx: StepContext<H>): tf.Scalar;
  /**
   * Final maps in [0, 1], [N, h, w] at the method's native resolution, for the given classes (GT during selection
   * and test). CAM-style methods min-max normalise here (@wslbench/metrics minMaxNormalize); NEGEV/U-Net return
   * probabilities. The evaluator only upsamples (bilinear, half-pixel centres) and maps NaN to 0.
   */
  localize(model: M, images: tf.Tensor4D, classes: number[], ctx: LocalizeContext<H>): tf.Tensor3D;
  /** Logits [N, numClasses] (inference mode). */
  classify(model: M, images: tf.Tensor4D): tf.Tensor2D;
}

/** Helper so that method packages get type inference on H without casts. */
export function defineMethod<H, M extends MethodModel>(m: WslMethod<H, M>): WslMethod<H, M> {
  return m;
}

export type AnyMethod = WslMethod<any, any>;

/** The description a results record carries (defaults filled), so that the report needs no method table. */
export interface MethodInfo {
  id: string;
  title: string;
  paperKey: string | null;
  group: MethodGroup;
}

export function describeMethod(m: MethodDescription): MethodInfo {
  return { id: m.id, title: m.title, paperKey: m.paperKey ?? null, group: m.group ?? 'weakly-supervised' };
}
