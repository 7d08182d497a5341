import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ResultRecord, RunConfig, resultPath } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import { checkpointDir, loadRunWeights, readCheckpointHeader } from './checkpoint.js';
import { evaluateRecord } from './evaluate-record.js';
import { silentProgress } from './progress.js';
import { tempDirs, testEnv, tinyBackboneFactory, tinyCamMethod, tinyDataset } from './testing.js';
import { RunInterruptedError, trainRun } from './train.js';

beforeAll(async () => {
  await initEngine({ backend: process.env.WSLBENCH_TEST_BACKEND ?? 'wasm' });
});

const { make: tmp, removeAll } = tempDirs('wslbench-trainer-');
afterAll(removeAll);

const EPOCHS = 5;
const config = (resultsDir: string, extra: Partial<RunConfig> = {}) =>
  RunConfig.parse({
    method: 'tiny-cam',
    backbone: 'tiny',
    dataset: 'tiny-synth',
    seed: 3,
    epochs: EPOCHS,
    input: { resize: 16, crop: 16, eval: 16 },
    optimizer: { lr: 0.02, batchSize: 4, stepSize: 3 },
    resultsDir,
    ...extra,
  });
const deps = (extra = {}) => ({
  method: tinyCamMethod,
  dataset: tinyDataset(),
  createBackbone: tinyBackboneFactory,
  env: testEnv,
  progress: silentProgress(),
  ...extra,
});
const key = { dataset: 'tiny-synth', method: 'tiny-cam', backbone: 'tiny', fold: 0, seed: 3 };
/** A record's numbers and choices: everything but timings, dates and where it was written. */
const numbers = (r: ResultRecord) =>
  JSON.stringify({ ...r, durations: null, createdAt: null, config: { ...r.config, resultsDir: null } });

let reference: ResultRecord;
let referenceDir: string;

describe('trainRun', () => {
  it('trains, selects by few-shot PxAP, evaluates on test and writes a valid record; memory returns to baseline', async () => {
    referenceDir = tmp();
    const before = tf.memory().numTensors;
    reference = await trainRun(config(referenceDir), deps());
    expect(tf.memory().numTensors).toBe(before);

    const onDisk = ResultRecord.parse(JSON.parse(readFileSync(join(referenceDir, resultPath(key)), 'utf8')));
    expect(numbers(onDisk)).toBe(numbers(reference));
    expect(reference.status).toBe('ok');
    expect(reference.selection.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(reference.selection[0]!.trainLoss).toBeNull();
    expect(reference.selection[1]!.lr).toBe(0.02);
    expect(reference.selection[4]!.lr).toBeCloseTo(0.002, 12); // stepSize 3: epochs 4.. at lr x 0.1
    expect((reference.config.hp as { nanAtEpoch: number }).nanAtEpoch).toBe(-1); // hp resolved with defaults

    // best_localization = the latest epoch with the maximal valpx PxAP; best_classification likewise on valcl.
    const pxaps = reference.selection.map((e) => e.pxap);
    expect(reference.bestLocalizationEpoch).toBe(pxaps.lastIndexOf(Math.max(...pxaps)));
    const accs = reference.selection.map((e) => e.clAccuracy);
    expect(reference.bestClassificationEpoch).toBe(accs.lastIndexOf(Math.max(...accs)));

    // The task is learnable: the square is classified and found. PxAP of a constant map = the foreground percentage;
    // the class-0 images (no foreground, but min-max maps that reach 1) keep PxAP low in absolute terms.
    const test = reference.test!;
    const fgPercent = 100 * reference.testForegroundFraction!;
    expect(test.pxap).toBeGreaterThan(2 * fgPercent);
    expect(Math.max(...pxaps)).toBeGreaterThan(pxaps[0]! + 5);
    expect(Math.max(...accs)).toBeGreaterThanOrEqual(75);
    expect(test.iou).toBeGreaterThan(0);
    expect(test.dice).toBeGreaterThanOrEqual(test.iou); // Dice >= IoU always
    expect(test.curve!.precision.length).toBe(test.curve!.recall.length);
    expect(reference.testBestClassification).not.toBeNull();

    // Foreground fraction of the test set, recomputed independently from the dataset.
    let fg = 0;
    let all = 0;
    for await (const b of tinyDataset().batches('test', {
      batchSize: 8,
      mode: 'eval',
      input: { resize: 16, crop: 16, eval: 16 },
    })) {
      const m = b.masks!.dataSync();
      for (const v of m) {
        fg += v === 1 ? 1 : 0;
        all += 1;
      }
      tf.dispose([b.images, b.labels, b.masks!]);
    }
    expect(reference.testForegroundFraction).toBeCloseTo(fg / all, 12);

    // Only the best snapshots stay on disk once the run is complete.
    const dir = checkpointDir(referenceDir, key);
    const header = readCheckpointHeader(dir)!;
    expect(header.complete).toBe(true);
    expect(header.optimizer).toBeNull();
    const kept = new Set([header.best.best_localization!.weights.file, header.best.best_classification!.weights.file]);
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.bin'))
        .sort(),
    ).toEqual([...kept].sort());
  });

  it('re-evaluates the stored checkpoint to exactly the recorded test numbers', async () => {
    const before = tf.memory().numTensors;
    const out = await evaluateRecord(join(referenceDir, resultPath(key)), {
      getMethod: () => tinyCamMethod,
      openDataset: () => tinyDataset(),
      createBackbone: tinyBackboneFactory,
    });
    expect(out.which).toBe('best_localization');
    expect(out.epoch).toBe(reference.bestLocalizationEpoch);
    expect(out.scores).toEqual(reference.test);
    const w = loadRunWeights(referenceDir, key, 'best_classification');
    expect(Object.keys(w)).toContain('head.classifier.kernel');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resumes an interrupted run (at an epoch end and mid-epoch) to bit-identical numbers', async () => {
    for (const stopAt of [
      { epoch: 2, step: null },
      { epoch: 4, step: 2 },
    ]) {
      const dir = tmp();
      const controller = new AbortController();
      const progress = {
        ...silentProgress(),
        step: (s: { epoch: number; step: number }) => {
          if (s.epoch === stopAt.epoch && s.step === stopAt.step) controller.abort();
        },
        evaluated: (e: { epoch: number }) => {
          if (stopAt.step === null && e.epoch === stopAt.epoch) controller.abort();
        },
      };
      const err = await trainRun(config(dir), deps({ progress, signal: controller.signal })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunInterruptedError);
      // Mid-epoch: the checkpoint of the previous epoch is the one kept.
      expect((err as RunInterruptedError).lastCheckpointEpoch).toBe(
        stopAt.step === null ? stopAt.epoch : stopAt.epoch - 1,
      );
      const resumed = await trainRun(config(dir), deps({ resume: true }));
      expect(numbers(resumed)).toBe(numbers(reference));
    }
  });

  it('refuses to resume from a checkpoint of a different config', async () => {
    const dir = tmp();
    await trainRun(config(dir, { epochs: 1 }), deps());
    await expect(
      trainRun(config(dir, { epochs: 1, optimizer: { ...config(dir).optimizer, lr: 0.5 } }), deps({ resume: true })),
    ).rejects.toThrow(/config differs in optimizer/);
  });

  it('selection.fromEpoch keeps earlier (untrained) checkpoints out of the selection, same training otherwise', async () => {
    const dir = tmp();
    const r = await trainRun(
      config(dir, { selection: { every: 1, report: 'best_localization', fromEpoch: 3 } }),
      deps(),
    );
    // Same seed: the same training and evaluations as the reference run, only the choice differs.
    expect(r.selection).toEqual(reference.selection);
    const late = r.selection.filter((e) => e.epoch >= 3);
    const bestPx = Math.max(...late.map((e) => e.pxap));
    expect(r.bestLocalizationEpoch).toBe(Math.max(...late.filter((e) => e.pxap === bestPx).map((e) => e.epoch)));
    const bestCl = Math.max(...late.map((e) => e.clAccuracy));
    expect(r.bestClassificationEpoch).toBe(
      Math.max(...late.filter((e) => e.clAccuracy === bestCl).map((e) => e.epoch)),
    );
    await expect(
      trainRun(
        config(tmp(), { epochs: 2, selection: { every: 1, report: 'best_localization', fromEpoch: 3 } }),
        deps(),
      ),
    ).rejects.toThrow(/selection.fromEpoch 3 is after the last epoch \(2\)/);
  });

  it('stops on a NaN loss and writes a failed record', async () => {
    const dir = tmp();
    const before = tf.memory().numTensors;
    const r = await trainRun(config(dir, { hp: { nanAtEpoch: 2 } }), deps());
    expect(tf.memory().numTensors).toBe(before);
    expect(r.status).toBe('failed');
    expect(r.failure).toEqual({
      reason: expect.stringMatching(/non-finite training loss \(NaN\) at epoch 2, step 1/),
      epoch: 2,
      step: 1,
    });
    expect(r.test).toBeNull();
    expect(r.selection.map((e) => e.epoch)).toEqual([0, 1]);
    const onDisk = ResultRecord.parse(JSON.parse(readFileSync(join(dir, resultPath(key)), 'utf8')));
    expect(onDisk.status).toBe('failed');
  });
});

describe('divergence and empty runs', () => {
  it("a native engine's out-of-memory error ends as a failed record naming the size asked, not a crash", async () => {
    const dir = tmp();
    let calls = 0;
    const method = {
      ...tinyCamMethod,
      loss: (...args: Parameters<typeof tinyCamMethod.loss>) => {
        if (++calls === 6)
          // the torch addon's error for libtorch's CUDA OOM
          throw Object.assign(
            new Error('libtorch: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.1 GiB total)'),
            {
              code: 'WSLBENCH_TORCH_OOM',
            },
          );
        return tinyCamMethod.loss(...args);
      },
    };
    const before = tf.memory().numTensors;
    const r = await trainRun(config(dir), deps({ method }));
    expect(tf.memory().numTensors).toBe(before);
    expect(r.status).toBe('failed');
    expect(r.failure).toEqual({
      reason:
        'out of device memory at epoch 2 (batch 4, 16 px, tiny): libtorch: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.1 GiB total); lower --batch-size or --input-size',
      epoch: 2,
      step: null,
    });
    const onDisk = ResultRecord.parse(JSON.parse(readFileSync(join(dir, resultPath(key)), 'utf8')));
    expect(onDisk.status).toBe('failed');
  });

  it('a loss that explodes but stays finite (lr 30: 0.67, 5.7e4, 1e17, 1e25...) ends as a failed record', async () => {
    const dir = tmp();
    const before = tf.memory().numTensors;
    const r = await trainRun(config(dir, { optimizer: { ...config(dir).optimizer, lr: 30 } }), deps());
    expect(tf.memory().numTensors).toBe(before);
    expect(r.status).toBe('failed');
    expect(r.test).toBeNull();
    // Step 1's loss is ~ln 2, so the default bound is 1e4 x 1; step 2 (5.7e4) exceeds it.
    expect(r.failure).toMatchObject({ epoch: 1, step: 2 });
    expect(r.failure!.reason).toMatch(
      /^training loss diverged: 5\.\d{3}e\+4 at epoch 1, step 2 exceeds 1\.000e\+4 \(10000 x max\(first step's loss 0\.6\d+, 1\)\)$/,
    );
    expect(r.selection.map((e) => e.epoch)).toEqual([0]);
    const onDisk = ResultRecord.parse(JSON.parse(readFileSync(join(dir, resultPath(key)), 'utf8')));
    expect(onDisk.status).toBe('failed');
  });

  it('the bound is lossFactor x max(first step loss, 1): the run stops at the first step above it', async () => {
    // The healthy run's step losses, then a factor that puts the bound just under its largest loss.
    const losses: { epoch: number; step: number; loss: number }[] = [];
    const seen = await trainRun(
      config(tmp()),
      deps({ progress: { ...silentProgress(), step: (s: (typeof losses)[0]) => losses.push(s) } }),
    );
    expect(seen.status).toBe('ok');
    const reference = Math.max(Math.abs(losses[0]!.loss), 1);
    const largest = Math.max(...losses.map((l) => l.loss));
    const factor = (0.999 * largest) / reference;
    const first = losses.find((l) => l.loss > factor * reference)!;
    const r = await trainRun(config(tmp(), { divergence: { lossFactor: factor } }), deps());
    expect(r.status).toBe('failed');
    expect(r.failure).toMatchObject({ epoch: first.epoch, step: first.step });
    expect(r.failure!.reason).toContain(`training loss diverged: ${first.loss.toExponential(3)}`);
    expect(r.failure!.reason).toContain(`exceeds ${(factor * reference).toExponential(3)}`);
    // The recorded config carries the bound; the selection stops before the failing epoch.
    expect((r.config.divergence as { lossFactor: number }).lossFactor).toBe(factor);
    expect(r.selection.map((e) => e.epoch)).toEqual(Array.from({ length: first.epoch }, (_, i) => i));
  });

  it('epochs 0 is refused before any compute unless evaluateOnly asks for it', async () => {
    const dir = tmp();
    await expect(trainRun(config(dir, { epochs: 0 }), deps())).rejects.toThrow(
      /epochs is 0 \(nothing would be trained\); ask for an evaluation only \(--evaluate-only\)/,
    );
    expect(readdirSync(dir)).toEqual([]);
    await expect(trainRun(config(dir, { epochs: 2 }), deps({ evaluateOnly: true }))).rejects.toThrow(
      /evaluate-only runs train 0 epochs, the config asks for 2/,
    );
    const r = await trainRun(config(dir, { epochs: 0 }), deps({ evaluateOnly: true }));
    expect(r.status).toBe('ok');
    expect(r.selection.map((e) => e.epoch)).toEqual([0]);
    expect(r.selection[0]).toEqual(reference.selection[0]);
  });
});
