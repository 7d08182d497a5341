import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMethod, type ResultRecord, type RunConfig, resultPath } from '@wslbench/core';
import { getMethod } from '@wslbench/registry';
import type { TrainFn } from './cell.js';

/** A valid ok record for a config (percent units, as the trainer writes them), with the given scores. */
export function fakeRecord(
  config: RunConfig,
  s: { valpx: number; valcl: number; testPxap: number; testCl?: number },
): ResultRecord {
  return {
    schema: 'wslbench/result@1',
    status: 'ok',
    method: config.method,
    methodInfo: describeMethod(getMethod(config.method)),
    backbone: config.backbone,
    dataset: config.dataset,
    fold: config.fold,
    seed: config.seed,
    config: { ...config },
    selection: [
      { epoch: 0, pxap: s.valpx - 5, clAccuracy: 50, trainLoss: null, lr: null },
      { epoch: 1, pxap: s.valpx, clAccuracy: s.valcl, trainLoss: 0.5, lr: config.optimizer.lr },
    ],
    bestLocalizationEpoch: 1,
    bestClassificationEpoch: 1,
    test: { pxap: s.testPxap, clAccuracy: s.testCl ?? 75, iou: 0.3, dice: 0.4, bestTau: 0.5 },
    testBestClassification: null,
    testForegroundFraction: 0.3,
    durations: { trainS: 1, evalS: 1, totalS: 2 },
    env: {
      backend: 'cpu',
      tfjsVersion: 'test',
      node: process.version,
      platform: process.platform,
      packages: {},
      commit: null,
    },
    createdAt: new Date(0).toISOString(),
  };
}

/**
 * A TrainFn that records its calls, leaves a checkpoint header where the trainer keeps one, and returns a record
 * whose scores derive from the seed and the lr.
 */
export function fakeTrainer(): { train: TrainFn; calls: RunConfig[] } {
  const calls: RunConfig[] = [];
  return {
    calls,
    train: async (config) => {
      calls.push(config);
      const ckpt = join(config.resultsDir, 'checkpoints', resultPath(config).replace(/\.json$/, ''));
      mkdirSync(ckpt, { recursive: true });
      writeFileSync(join(ckpt, 'checkpoint.json'), JSON.stringify({ method: config.method, seed: config.seed }));
      const x = config.seed + config.optimizer.lr;
      return fakeRecord(config, { valpx: 40 + x, valcl: 75, testPxap: 30 + x });
    },
  };
}
