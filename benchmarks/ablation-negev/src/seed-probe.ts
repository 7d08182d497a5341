/**
 * Diagnostic: how good are a NEGEV run's pseudo-labels, and does its decoder learn them?
 *   node benchmarks/ablation-negev/dist/seed-probe.js <NEGEV result record .json> [--epochs 4]
 * 1. Seeds vs masks: NEGEV's own sampler (negevPixelWeights, the run's hp) on the frozen CAM of every train image
 *    (eval geometry, one pass per epoch, a seeded stream): precision of the fg / bg seeds, and the share of the true
 *    fg / bg pixels covered so far. The CAM is frozen, so epochs differ only by the draws (training adds augmentation).
 * 2. The expected precision for a sampler ∝ C^γ (γ = 1 is NEGEV's), and the CAM's own PxAP on train.
 * 3. The decoder's PxAP at the run's best_localization snapshot on train (eval geometry), valpx and test.
 * Reads nothing it decides on: a measurement to explain a result, not a selection.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { rngStream, type SplitName } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import { type NegevHyperparams, type NegevModel, method as negev, negevPixelWeights } from '@wslbench/method-negev';
import { PxapAccumulator } from '@wslbench/metrics';
import {
  buildModel,
  disposeModel,
  evaluateSplit,
  locateCheckpoint,
  openConfiguredDataset,
  pretrainedFor,
  readWeights,
  realBackboneFactory,
  resolveHp,
} from '@wslbench/trainer';
import { countSeeds, expectedSeedPrecision, type SeedCounts } from './seed-stats.js';

export async function probeNegevSeeds(record: string, epochs: number, log: (l: string) => void): Promise<void> {
  await initEngine({});
  const loc = locateCheckpoint(record);
  const config = loc.header.config;
  if (config.method !== 'negev') throw new Error(`${record}: a '${config.method}' run, not NEGEV`);
  const dataset = await openConfiguredDataset(config);
  const key = { dataset: loc.header.dataset, backbone: config.backbone, fold: config.fold, seed: config.seed };
  const pretrained = pretrainedFor(negev, loc.resultsDir, key, 'best_localization');
  const hp = resolveHp(negev, config.hp) as NegevHyperparams;
  const built = buildModel(negev, config, hp, dataset, realBackboneFactory, pretrained);
  const model = built.model as unknown as NegevModel;
  const common = { input: config.input, batchSize: 16, mean: built.backbone.mean, std: built.backbone.std };
  try {
    const covered = new Map<string, { fg: Set<number>; bg: Set<number> }>();
    let trueFg = 0;
    let trueBg = 0;
    const gammas = [1, 2, 4, 8];
    const expected = gammas.map(() => ({ fg: 0, bg: 0, n: 0 }));
    const camAcc = new PxapAccumulator();
    for (let e = 1; e <= epochs; e++) {
      const rng = rngStream(config.seed, 'seed-probe', e);
      const c: SeedCounts = { fg: 0, fgTrue: 0, bg: 0, bgTrue: 0 };
      for await (const b of dataset.batches('train', { ...common, mode: 'eval', withMasks: true })) {
        try {
          const [n, h, w] = b.masks!.shape;
          const hw = h * w;
          const labels = Array.from(await b.labels.data());
          const cams = tf.tidy(
            () =>
              model.pseudoLabelCams(model.forward(b.images, false).features, labels, [h, w]).dataSync() as Float32Array,
          );
          const masks = await b.masks!.data();
          const wts = negevPixelWeights(cams, b.fullyNegative, h, w, hp, rng);
          for (let i = 0; i < n; i++) {
            const id = b.ids[i] ?? String(i);
            if (!covered.has(id)) covered.set(id, { fg: new Set(), bg: new Set() });
            const sl = (a: ArrayLike<number> & { subarray(s: number, e: number): ArrayLike<number> }) =>
              a.subarray(i * hw, (i + 1) * hw);
            const mask = sl(masks as Float32Array);
            countSeeds(sl(wts.fg), sl(wts.bg), mask, c, covered.get(id)!.fg, covered.get(id)!.bg);
            if (e === 1 && !b.fullyNegative[i]) {
              for (let p = 0; p < hw; p++) {
                if (mask[p] === 1) trueFg++;
                else if (mask[p] === 0) trueBg++;
              }
              camAcc.accumulate(sl(cams), mask);
              gammas.forEach((g, k) => {
                const x = expectedSeedPrecision(sl(cams), mask, g);
                expected[k]!.fg += x.fg;
                expected[k]!.bg += x.bg;
                expected[k]!.n++;
              });
            }
          }
        } finally {
          tf.dispose([b.images, b.labels, ...(b.masks ? [b.masks] : [])]);
        }
      }
      const cov = (side: 'fg' | 'bg') => [...covered.values()].reduce((s, v) => s + v[side].size, 0);
      log(
        `epoch ${e}: fg seeds ${c.fg}, precision ${(c.fgTrue / c.fg).toFixed(3)}; bg seeds ${c.bg}, precision ` +
          `${(c.bgTrue / c.bg).toFixed(3)}; recall so far fg ${(cov('fg') / trueFg).toFixed(4)}, bg ${(cov('bg') / trueBg).toFixed(4)}`,
      );
    }
    log(`true foreground fraction of the train images: ${(trueFg / (trueFg + trueBg)).toFixed(3)}`);
    gammas.forEach((g, k) => {
      const x = expected[k]!;
      log(`expected precision, sampling ∝ C^${g}: fg ${(x.fg / x.n).toFixed(3)}, bg ${(x.bg / x.n).toFixed(3)}`);
    });
    log(`CAM (frozen classifier) PxAP on train: ${camAcc.compute().pxap.toFixed(2)}`);
    const ref = loc.header.best.best_localization;
    if (!ref) throw new Error(`${loc.dir}: no best_localization snapshot`);
    built.params.restore(readWeights(loc.dir, ref.weights));
    for (const split of ['train', 'valpx', 'test'] as SplitName[]) {
      const r = await evaluateSplit(negev, built.model, dataset, split, {
        ...common,
        localization: true,
        classification: false,
        ctx: {
          hp,
          rng: rngStream(config.seed, 'seed-probe-eval', split),
          numClasses: dataset.numClasses,
        },
      });
      log(
        `decoder PxAP (best_localization, epoch ${ref.epoch}) on ${split}: ${r.pxap!.toFixed(2)} ` +
          `(foreground ${(100 * r.foregroundFraction!).toFixed(1)} %, ${r.images} images)`,
      );
    }
  } finally {
    disposeModel(built);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ options: { epochs: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new Error('usage: seed-probe.js <NEGEV result record .json> [--epochs 4]');
  const epochs = Number(values.epochs ?? 4);
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new Error(`--epochs: expected a positive integer, got '${values.epochs}'`);
  await probeNegevSeeds(positionals[0]!, epochs, (l) => process.stdout.write(`${l}\n`));
}
