import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createBackbone, loadKerasWeights, type WsolBackbone } from '@wslbench/backbones';
import type { AnyMethod, ResultRecord, RunConfig, WeightSnapshot } from '@wslbench/core';
import { type OpenDatasetOptions, openDataset, preflightDataset, repoPath } from '@wslbench/data';
import { engineEnvInfo, initEngine } from '@wslbench/engine';
import { type BlobRef, readBlob } from './blob.js';
import type { CheckpointName } from './checkpoint.js';
import { pretrainedFor } from './evaluate-record.js';
import type { BackboneFactory } from './model-setup.js';
import { preflightRun } from './preflight.js';
import type { ProgressSink } from './progress.js';
import { checkRunConfigs, type SharedTrainDeps, trainShared } from './train.js';

export interface RunConfiguredOptions {
  /** TF.js backend (default: the best available; env WSLBENCH_BACKEND). */
  backend?: string;
  resume?: boolean;
  progress?: ProgressSink;
  signal?: AbortSignal;
  /** Receives a method's reported checkpoint's test maps (see TrainDeps.onTestMaps). */
  onTestMaps?: SharedTrainDeps['onTestMaps'];
  /** `epochs: 0` is meant: evaluate the initial model only. */
  evaluateOnly?: boolean;
  /** Which snapshot of the prerequisite run a method like NEGEV starts from. */
  pretrainedCheckpoint?: CheckpointName;
}

/** The real dependencies of a run: data package, backbones, engine (the method comes from the caller). */
export const realBackboneFactory: BackboneFactory = (id, opts) => createBackbone(id, { params: opts.params });

export function openConfiguredDataset(config: RunConfig) {
  const synth: OpenDatasetOptions['synth'] = config.synth
    ? {
        size: config.synth.size,
        seed: config.synth.seed,
        magnification: config.synth.magnification,
        ...(config.synth.counts ? { counts: config.synth.counts } : {}),
      }
    : undefined;
  return openDataset({
    dataset: config.dataset,
    fold: config.fold,
    ...(config.dataRoot ? { dataRoot: config.dataRoot } : {}),
    ...(synth ? { synth } : {}),
  });
}

/**
 * Train one fully resolved run config of `method` with the real packages: what `wslbench train` and the benchmark
 * workers call (the caller looks the method up, e.g. in the registry). Throws RunInterruptedError on abort; returns
 * the (ok or failed) record otherwise.
 */
export async function runConfigured(
  config: RunConfig,
  method: AnyMethod,
  opts: RunConfiguredOptions = {},
): Promise<ResultRecord> {
  const [record] = await runConfiguredShared([config], [method], opts);
  return record!;
}

/** Several runs that share one training (see trainShared): one config per method, records in the same order. */
export async function runConfiguredShared(
  configs: RunConfig[],
  methods: AnyMethod[],
  opts: RunConfiguredOptions = {},
): Promise<ResultRecord[]> {
  const config = configs[0];
  const method = methods[0];
  if (!config || !method) throw new Error('runConfiguredShared: no run config given');
  // Bad configs are refused before the engine starts or the data is opened (or generated).
  checkRunConfigs(configs, methods, opts.evaluateOnly === true);
  const info = await initEngine(opts.backend ? { backend: opts.backend } : {});
  const dataset = await openConfiguredDataset(config);
  const pretrained = pretrainedFor(
    method,
    config.resultsDir,
    { dataset: dataset.id, backbone: config.backbone, fold: config.fold, seed: config.seed },
    opts.pretrainedCheckpoint ?? 'best_localization',
  );
  // A method built on another run's classifier (NEGEV) gets its encoder from that run, never re-initialised.
  const ownEncoder = !method.requirements.classifierFrom;
  const weights = ownEncoder ? config.weights : undefined;
  const init = ownEncoder ? config.encoderInit : undefined;
  if (weights && init) throw new Error('run config: give either weights (Keras .h5) or encoderInit, not both');
  // Refused before any compute: bad data files, a batch larger than the train split or the backend's memory.
  await preflightDataset(dataset);
  await preflightRun(method, config, dataset, realBackboneFactory, pretrained);
  return trainShared(configs, {
    methods,
    dataset,
    createBackbone: realBackboneFactory,
    env: engineEnvInfo(info),
    ...(opts.progress ? { progress: opts.progress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    resume: opts.resume === true,
    ...(opts.evaluateOnly ? { evaluateOnly: true } : {}),
    ...(opts.onTestMaps ? { onTestMaps: opts.onTestMaps } : {}),
    ...(pretrained ? { pretrained } : {}),
    ...(weights ? { initBackbone: async (b) => void (await loadKerasWeights(b as WsolBackbone, weights)) } : {}),
    ...(init
      ? {
          initBackbone: async (b) => {
            b.params.restore(readEncoderFile(init.file), { prefix: b.prefix });
          },
        }
      : {}),
  });
}

/** Encoder weights from a JSON header ({ prefix, blob }) and the Float32 blob beside it (relative: to the repository). */
export function readEncoderFile(configured: string): WeightSnapshot {
  const file = repoPath(configured);
  let header: { prefix?: string; blob?: BlobRef };
  try {
    header = JSON.parse(readFileSync(file, 'utf8')) as typeof header;
  } catch (e) {
    throw new Error(`encoderInit.file ${file}: ${(e as Error).message}`);
  }
  if (!header.blob?.file || !Array.isArray(header.blob.entries))
    throw new Error(`encoderInit.file ${file}: no 'blob' index`);
  return readBlob(join(dirname(file), header.blob.file), header.blob);
}
