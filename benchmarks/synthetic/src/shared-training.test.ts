import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type ResultRecord, RunConfig, resultPath } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import { getMethod } from '@wslbench/registry';
import { silentProgress, trainRun, trainShared } from '@wslbench/trainer';
import { tempDirs, testEnv, tinyBackboneFactory, tinyDataset } from '@wslbench/trainer/testing';
import { groupJobs, groupSharedTraining, recordsWithOtherHp, withReuseCamRun } from './shared-training.js';

beforeAll(async () => {
  await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
});
const { make: tmp, removeAll } = tempDirs('wslbench-cam-family-');
afterAll(removeAll);

const FAMILY = ['cam', 'gradcam', 'gradcam-pp', 'smooth-gradcam-pp', 'xgradcam', 'layercam'];
const config = (method: string, resultsDir: string, hp: Record<string, unknown>) =>
  RunConfig.parse({
    method,
    backbone: 'tiny',
    dataset: 'tiny-synth',
    seed: 2,
    epochs: 2,
    input: { resize: 16, crop: 16, eval: 16 },
    optimizer: { lr: 0.02, batchSize: 4 },
    selection: { every: 1, report: 'best_localization', fromEpoch: 1 },
    hp,
    resultsDir,
  });
const deps = () => ({
  dataset: tinyDataset({ counts: { train: 8, valcl: 6, valpx: 4, test: 6 } }),
  createBackbone: tinyBackboneFactory,
  env: testEnv,
  progress: silentProgress(),
});
const numbers = (r: ResultRecord) =>
  JSON.stringify({ ...r, durations: null, createdAt: null, config: { ...r.config, resultsDir: null } });
const reuse = (m: string) => (m === 'cam' ? {} : { reuseCamRun: true });

describe('CAM and the five gradient CAMs share one training (reuseCamRun)', () => {
  it('one training gives the six records of six separate trainings at the same seed', async () => {
    const methods = FAMILY.map(getMethod);
    const a = tmp();
    const separate: ResultRecord[] = [];
    for (const m of methods) separate.push(await trainRun(config(m.id, a, reuse(m.id)), { ...deps(), method: m }));
    const b = tmp();
    const before = tf.memory().numTensors;
    const shared = await trainShared(
      methods.map((m) => config(m.id, b, reuse(m.id))),
      { ...deps(), methods },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(shared.map(numbers)).toEqual(separate.map(numbers));
    // One training: the same losses everywhere; selection on each method's own maps.
    const losses = JSON.stringify(shared[0]!.selection.map((e) => e.trainLoss));
    for (const r of shared) expect(JSON.stringify(r.selection.map((e) => e.trainLoss))).toBe(losses);
    expect(new Set(shared.map((r) => r.selection.map((e) => e.pxap).join(','))).size).toBeGreaterThan(1);
  });

  it('without reuseCamRun a gradient CAM trains on its own streams (another training than CAM)', async () => {
    const dir = tmp();
    const cam = await trainRun(config('cam', dir, {}), { ...deps(), method: getMethod('cam') });
    const own = await trainRun(config('gradcam', dir, {}), { ...deps(), method: getMethod('gradcam') });
    expect(own.selection[1]!.trainLoss).not.toBe(cam.selection[1]!.trainLoss);
  });
});

describe('benchmark cells that share a training', () => {
  const cell = (method: string, seed: number, hp: Record<string, unknown> = {}) => ({
    name: `${method}_s${seed}`,
    config: { ...config(method, 'results', hp), seed },
  });
  const methods = new Map([...FAMILY, 'negev', 'has'].map((id) => [id, getMethod(id)] as const));

  it('withReuseCamRun sets the flag on the methods that declare it, and only there', () => {
    const cells = withReuseCamRun([cell('cam', 0), cell('gradcam', 0), cell('has', 0)], methods);
    expect(cells.map((c) => c.config.hp)).toEqual([{}, { reuseCamRun: true }, {}]);
  });

  it('groups cells of one training (same trainingOf and config but method and hp); others stay alone', () => {
    const cells = withReuseCamRun(
      [cell('cam', 0), cell('gradcam', 0), cell('layercam', 1), cell('has', 0), cell('xgradcam', 0), cell('negev', 0)],
      methods,
    );
    const groups = groupSharedTraining(cells, methods).map((g) => g.map((c) => c.name));
    expect(groups).toEqual([['cam_s0', 'gradcam_s0', 'xgradcam_s0'], ['layercam_s1'], ['has_s0'], ['negev_s0']]);
    // Without the flag nothing is shared.
    const plain = [cell('cam', 0), cell('gradcam', 0)];
    expect(groupSharedTraining(plain, methods).map((g) => g.length)).toEqual([1, 1]);
  });
});

describe('groupJobs', () => {
  const c = (name: string) => ({ name, config: RunConfig.parse({ method: 'cam', backbone: 'b', dataset: 'd' }) });
  it('one job per group; dependencies on a member point at its group; a group of one keeps its id', () => {
    const cells = { cam: c('cam'), grad: c('grad'), negev: c('negev'), has: c('has') };
    const jobs = [
      { id: 'cam', payload: cells.cam, after: ['pretrain_b'] },
      { id: 'grad', payload: cells.grad, after: ['pretrain_b'] },
      { id: 'negev', payload: cells.negev, after: ['cam'] },
      { id: 'has', payload: cells.has, after: [] },
    ];
    const out = groupJobs(jobs, [[cells.cam, cells.grad], [cells.negev], [cells.has]], (g) => g.map((x) => x.name));
    expect(out).toEqual([
      { id: 'has', payload: ['has'], after: [] },
      { id: 'cam+grad', payload: ['cam', 'grad'], after: ['pretrain_b'] },
      { id: 'negev', payload: ['negev'], after: ['cam+grad'] },
    ]);
  });
});

describe('recordsWithOtherHp', () => {
  it('names a finished cell whose record was trained with other hyper-parameters (e.g. before --reuse-cam-run)', () => {
    const dir = tmp();
    const methods = new Map([['gradcam', getMethod('gradcam')]]);
    const cell = {
      name: 'g',
      config: RunConfig.parse({ method: 'gradcam', backbone: 'b', dataset: 'd', resultsDir: dir }),
    };
    const file = join(dir, resultPath(cell.config));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ config: { hp: { reuseCamRun: false } } }));
    expect(recordsWithOtherHp([cell], dir, methods)).toEqual([]);
    const [reusing] = withReuseCamRun([cell], methods);
    expect(recordsWithOtherHp([reusing!], dir, methods)).toEqual([file]);
  });
});
