import { join } from 'node:path';
import { type ResultRecord, resultPath, writeJsonAtomic } from '@wslbench/core';
import { PerImageHistograms } from '@wslbench/metrics';
import { writeSavedInput, writeSavedMap } from '../gallery/map-files.js';
import { recordToPercent } from '../load.js';

/**
 * A fixture results folder for tests and demos: 4 methods x 2 backbones (width-tagged) x 2 synthetic datasets,
 * some cells with 2 seeds, one failed run, and saved maps for 2 images per dataset.
 * The test PxAP / CL accuracy values below are the hand-written inputs of the table tests.
 */
export const FIXTURE_BACKBONES = ['vgg16:w0.125', 'resnet50:w0.125'] as const;

/** [dataset, method, backbone, seed, pxap, clAccuracy]; pxap null = a failed run. */
export const FIXTURE_RUNS: readonly [string, string, string, number, number | null, number][] = [
  ['synth-glas', 'cam', 'vgg16:w0.125', 0, 0.6, 0.9],
  ['synth-glas', 'cam', 'vgg16:w0.125', 1, 0.64, 0.8],
  ['synth-glas', 'cam', 'resnet50:w0.125', 0, 0.55, 0.85],
  ['synth-glas', 'gradcam', 'vgg16:w0.125', 0, 0.85, 0.9],
  ['synth-glas', 'gradcam', 'resnet50:w0.125', 0, 0.66, 0.85],
  ['synth-glas', 'negev', 'vgg16:w0.125', 0, 0.8, 0.9],
  ['synth-glas', 'negev', 'resnet50:w0.125', 0, 0.78, 0.85],
  ['synth-glas', 'unet', 'vgg16:w0.125', 0, 0.95, 0.5],
  ['synth-glas', 'unet', 'resnet50:w0.125', 0, 0.93, 0.5],
  ['synth-camelyon', 'cam', 'vgg16:w0.125', 0, 0.3, 0.7],
  ['synth-camelyon', 'cam', 'resnet50:w0.125', 0, 0.33, 0.6],
  ['synth-camelyon', 'cam', 'resnet50:w0.125', 1, 0.37, 0.7],
  ['synth-camelyon', 'gradcam', 'vgg16:w0.125', 0, 0.4, 0.7],
  ['synth-camelyon', 'gradcam', 'resnet50:w0.125', 0, null, 0],
  ['synth-camelyon', 'negev', 'vgg16:w0.125', 0, 0.6, 0.7],
  ['synth-camelyon', 'negev', 'resnet50:w0.125', 0, 0.5, 0.6],
  ['synth-camelyon', 'unet', 'vgg16:w0.125', 0, 0.85, 0.5],
  ['synth-camelyon', 'unet', 'resnet50:w0.125', 0, 0.8, 0.5],
];

/**
 * Per-image histograms of 8 tiny test images (16 pixels, a third foreground) whose maps separate foreground from
 * background the better the higher `pxap` is, with a per-seed/method pattern of noise (for the paired bootstrap).
 */
function fixturePerImage(pxap: number, seed: number, method: string) {
  const h = new PerImageHistograms();
  for (let k = 0; k < 8; k++) {
    const mask = Array.from({ length: 16 }, (_, i) => ((i + k) % 3 === 0 ? 1 : 0));
    const map = mask.map((m, i) => {
      const noise = ((i * 7 + k * 13 + seed * 5 + method.length) % 11) / 10;
      return 0.5 * (m === 1 ? pxap : 1 - pxap) + 0.5 * noise;
    });
    h.add(map, mask, `img${k}`);
  }
  return h.toJSON();
}

/** A monotone PR curve ending at (recall 1, precision = fg fraction), shaped by the run's PxAP. */
function prCurve(pxap: number, fg: number): { precision: number[]; recall: number[]; thresholds: number[] } {
  const thresholds = Array.from({ length: 21 }, (_, i) => 1 - i / 20);
  const recall = thresholds.map((t) => 1 - t);
  const precision = recall.map(
    (r) => fg + (1 - fg) * (1 - r ** (1 / (1 - pxap + 1e-3))) ** 0.5 * pxap + (r === 0 ? 1 - pxap : 0),
  );
  return { precision: precision.map((p) => Math.min(1, p)), recall, thresholds };
}

/** What the methods' descriptors say of the fixture methods (records carry it as `methodInfo`). */
const FIXTURE_METHODS: Record<string, Omit<NonNullable<ResultRecord['methodInfo']>, 'id'>> = {
  gap: { title: 'GAP', paperKey: 'GAP (Lin et al., 2013)', group: 'weakly-supervised' },
  cam: { title: 'CAM', paperKey: 'CAM (Zhou et al., 2016)', group: 'weakly-supervised' },
  gradcam: { title: 'GradCAM', paperKey: 'GradCAM (Selvaraju et al., 2017)', group: 'weakly-supervised' },
  negev: { title: 'NEGEV', paperKey: 'NEGEV (ours)', group: 'weakly-supervised' },
  unet: { title: 'U-Net', paperKey: 'U-Net (Ronneberger et al., 2015)', group: 'fully-supervised' },
};

export function fixtureRecord(
  dataset: string,
  method: string,
  backbone: string,
  seed: number,
  pxap: number | null,
  cl: number,
): ResultRecord {
  const epochs = 5;
  const failed = pxap === null;
  const selection = Array.from({ length: failed ? 2 : epochs + 1 }, (_, e) => ({
    epoch: e,
    // PxAP peaks mid-training while CL accuracy keeps rising: the antagonism of the protocol.
    pxap: failed ? 0.2 : Math.max(0, (pxap as number) - 0.03 * Math.abs(e - 2) - 0.002 * seed),
    clAccuracy: Math.min(1, 0.5 + ((cl - 0.5) * e) / epochs),
    trainLoss: e === 0 ? null : 1 / e,
    lr: e === 0 ? null : 0.003,
  }));
  const fg = dataset === 'synth-glas' ? 0.4 : 0.15;
  return {
    schema: 'wslbench/result@1',
    status: failed ? 'failed' : 'ok',
    ...(failed ? { failure: { reason: 'loss became NaN', epoch: 1, step: 3 } } : {}),
    method,
    ...(FIXTURE_METHODS[method] ? { methodInfo: { id: method, ...FIXTURE_METHODS[method] } } : {}),
    backbone,
    dataset,
    fold: 0,
    seed,
    config: { name: `fixture-${method}`, method, backbone, dataset, fold: 0, seed, epochs },
    selection,
    bestLocalizationEpoch: failed ? null : 2,
    bestClassificationEpoch: failed ? null : epochs,
    test: failed
      ? null
      : {
          pxap: pxap as number,
          clAccuracy: cl,
          iou: 0.5,
          dice: 0.6,
          bestTau: 0.5,
          curve: prCurve(pxap as number, fg),
          perImage: fixturePerImage(pxap as number, seed, method),
        },
    testForegroundFraction: fg,
    durations: { trainS: 1, evalS: 1, totalS: 2 },
    env: { backend: 'cpu', tfjsVersion: '4.22.0', node: 'v20', platform: 'linux', packages: {}, commit: 'abc1234' },
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

/** A synthetic RGB image with pink 'glands' (the mask) on a purple background, and maps of given quality. */
function fixtureImage(w: number, h: number, k: number) {
  const image = new Uint8Array(w * h * 3);
  const mask = new Uint8Array(w * h);
  const blobs = [
    [0.3 + 0.1 * k, 0.35, 0.18],
    [0.68, 0.65 - 0.1 * k, 0.14],
  ];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const inside = blobs.some(([cx, cy, r]) => (x / w - cx!) ** 2 + (y / h - cy!) ** 2 < r! ** 2);
      mask[i] = inside ? 1 : 0;
      const n = ((x * 7 + y * 13 + k * 5) % 17) - 8;
      image.set(inside ? [230 + (n >> 2), 160 + n, 200 + n] : [120 + n, 80 + n, 160 + n], 3 * i);
    }
  }
  const map = (quality: number) => {
    const m = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const d = Math.min(...blobs.map(([cx, cy, r]) => Math.sqrt((x / w - cx!) ** 2 + (y / h - cy!) ** 2) / r!));
        m[y * w + x] = Math.max(0, Math.min(1, quality * Math.exp(-((d / (2 - quality)) ** 2)) + (1 - quality) * 0.3));
      }
    }
    return m;
  };
  return { image, mask, map };
}

/** Write the fixture results folder (records + saved maps) and return its path. */
export async function writeFixtureResults(resultsDir: string, opts: { maps?: boolean } = {}): Promise<string> {
  for (const [dataset, method, backbone, seed, pxap, cl] of FIXTURE_RUNS) {
    const rec = fixtureRecord(dataset, method, backbone, seed, pxap, cl);
    writeJsonAtomic(join(resultsDir, resultPath(rec)), recordToPercent(rec));
  }
  if (opts.maps === false) return resultsDir;
  const w = 48;
  const h = 48;
  const quality: Record<string, number> = { cam: 0.4, negev: 0.8, unet: 1 };
  for (const dataset of ['synth-glas', 'synth-camelyon']) {
    for (let k = 0; k < 2; k++) {
      const imageId = `test-${k}`;
      const { image, mask, map } = fixtureImage(w, h, k);
      await writeSavedInput(resultsDir, { dataset, imageId, image, mask, width: w, height: h });
      for (const method of Object.keys(quality)) {
        await writeSavedMap(resultsDir, {
          dataset,
          method,
          backbone: 'vgg16:w0.125',
          fold: 0,
          seed: 0,
          imageId,
          map: map(quality[method]!),
          width: w,
          height: h,
        });
      }
    }
  }
  return resultsDir;
}
