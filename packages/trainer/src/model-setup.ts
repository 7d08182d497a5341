import {
  type AnyMethod,
  type BackboneInstance,
  type DatasetSource,
  type MethodModel,
  ParamStore,
  parseStrict,
  type Rng,
  type RunConfig,
  rngStream,
  type WeightSnapshot,
} from '@wslbench/core';

export type BackboneFactory = (id: string, opts: { params: ParamStore }) => BackboneInstance;

export interface PretrainedWeights {
  method: string;
  weights: WeightSnapshot;
}

/** Every random stream of a run, derived from the master seed and the run's identity (AlgoPerf-style fold-in). */
export function runStreams(config: RunConfig, methodId: string, datasetId: string) {
  const key = [config.seed, methodId, config.backbone, datasetId, `f${config.fold}`] as const;
  const stream = (...purpose: (string | number)[]): Rng => rngStream(key[0], ...key.slice(1), ...purpose);
  return {
    init: () => stream('init'),
    build: () => stream('build'),
    /** Shuffling and augmentation of training epoch e. */
    data: (epoch: number) => stream('data', epoch),
    /** The method's own randomness in training epoch e (dropout, HaS, CutMix, sampling...). */
    step: (epoch: number) => stream('step', epoch),
    /** Randomness of localize during the evaluation of a split at an epoch ('final' for the test pass). */
    eval: (split: string, epoch: number | string) => stream('eval', split, epoch),
  };
}

/** Method hyper-parameters validated by the method's own (strict) schema, defaults filled. */
export function resolveHp(method: AnyMethod, hp: Record<string, unknown>): Record<string, unknown> {
  return parseStrict(method.hyperparams, hp, `hyper-parameters of method '${method.id}'`) as Record<string, unknown>;
}

export interface BuiltModel {
  model: MethodModel;
  params: ParamStore;
  backbone: BackboneInstance;
}

/** Seeded init + backbone + method heads. Checks the prerequisite weights the method declares. */
export function buildModel(
  method: AnyMethod,
  config: RunConfig,
  hp: Record<string, unknown>,
  dataset: DatasetSource,
  createBackbone: BackboneFactory,
  pretrained?: PretrainedWeights,
): BuiltModel {
  const need = method.requirements.classifierFrom;
  if (need && !pretrained) {
    throw new Error(
      `Method '${method.id}' needs the trained classifier of method '${need}': train '${need}' with the same ` +
        'dataset, backbone, fold and seed first, then pass its weights (CLI: they are loaded from the results folder)',
    );
  }
  if (need && pretrained && pretrained.method !== need) {
    throw new Error(`Method '${method.id}' needs weights of '${need}', got weights of '${pretrained.method}'`);
  }
  // Keyed by the training's id (trainingOf): runs of one shared training start from the same weights.
  const streams = runStreams(config, method.trainingOf?.(hp) ?? method.id, dataset.id);
  const params = new ParamStore(streams.init());
  try {
    const backbone = createBackbone(config.backbone, { params });
    const model = method.build(backbone, {
      numClasses: dataset.numClasses,
      hp,
      params,
      inputSize: config.input.crop,
      rng: streams.build(),
      ...(need && pretrained ? { pretrained } : {}),
    });
    return { model, params, backbone };
  } catch (e) {
    params.dispose();
    throw e;
  }
}

/** Releases the model and every variable of its store (dispose is idempotent on the store). */
export function disposeModel(b: BuiltModel): void {
  b.model.dispose();
  b.params.dispose();
}
