import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultRecord, RunConfig } from '@wslbench/core';
import { resultPath } from '@wslbench/core';
import { engineEnvInfo, initEngine } from '@wslbench/engine';
import { getMethod } from '@wslbench/registry';
import { openConfiguredDataset, type ProgressSink, realBackboneFactory, trainRun } from '@wslbench/trainer';
import { baseConfig, PRETRAIN, SYNTHETIC_DATASETS } from './grid.js';
import { MergedDataset } from './merged-dataset.js';

/**
 * No ImageNet weights exist offline, and the protocol assumes a pretrained encoder. So each CPU backbone variant
 * is pretrained once, as a CAM classifier over the train splits of all synthetic presets (4 classes, image labels
 * only: no mask, no validation or test image is seen), and every cell starts its encoder from that snapshot
 * (best valcl accuracy). The run is an ordinary result record + checkpoint under <results>/pretrain.
 */
export const PRETRAIN_DATASET_ID = 'synth-tissue';

export function pretrainConfig(backbone: string, resultsDir: string, synth: RunConfig['synth']): RunConfig {
  const base = baseConfig('cam', backbone, PRETRAIN_DATASET_ID);
  return {
    ...base,
    epochs: PRETRAIN.epochs,
    optimizer: { ...base.optimizer, lr: PRETRAIN.lr, stepSize: PRETRAIN.stepSize },
    selection: { every: PRETRAIN.selectEvery, report: 'best_classification' },
    resultsDir: join(resultsDir, 'pretrain'),
    ...(synth ? { synth } : {}),
  };
}

export function pretrainDone(config: RunConfig): boolean {
  return existsSync(join(config.resultsDir, resultPath(config)));
}

/** The encoderInit a cell gets from its backbone's pretraining. */
export function encoderInitFor(backbone: string, resultsDir: string): NonNullable<RunConfig['encoderInit']> {
  return {
    resultsDir: join(resultsDir, 'pretrain'),
    dataset: PRETRAIN_DATASET_ID,
    method: 'cam',
    backbone,
    fold: 0,
    seed: 0,
    which: 'best_classification',
  };
}

export async function runPretraining(
  config: RunConfig,
  synthByDataset: Record<string, RunConfig['synth']>,
  progress?: ProgressSink,
  signal?: AbortSignal,
): Promise<ResultRecord> {
  const info = await initEngine({ ...(process.env.WSLBENCH_BACKEND ? { backend: process.env.WSLBENCH_BACKEND } : {}) });
  const sources = await Promise.all(
    SYNTHETIC_DATASETS.map((d) =>
      openConfiguredDataset({ ...config, dataset: d, ...(synthByDataset[d] ? { synth: synthByDataset[d] } : {}) }),
    ),
  );
  const dataset = new MergedDataset(PRETRAIN_DATASET_ID, sources);
  const { synth: _omit, ...rest } = config;
  return trainRun(rest, {
    method: getMethod('cam'),
    dataset,
    createBackbone: realBackboneFactory,
    env: engineEnvInfo(info),
    resume: true,
    ...(progress ? { progress } : {}),
    ...(signal ? { signal } : {}),
  });
}
