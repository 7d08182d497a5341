import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { rngStream, type SplitName, writeFileAtomic, writeJsonAtomic } from '@wslbench/core';
import { drawFewShot } from '../few-shot.js';
import { encodePng } from '../io/image-io.js';
import { formatEncoding, type SplitRow, writeSplit } from '../splits.js';
import { drawColonTissue, type TissueImage } from './glas-tissue.js';
import { drawLymphNode } from './lymph-tissue.js';

export type SynthPreset = 'synth-glas' | 'synth-camelyon';
export const SYNTH_PRESETS: readonly SynthPreset[] = ['synth-glas', 'synth-camelyon'];

/** Images per class of each generated split; valpx is k per class drawn from valcl. */
export interface SynthCounts {
  train: [number, number];
  valcl: [number, number];
  test: [number, number];
  valpx: number;
}

export interface SynthOptions {
  size?: number;
  seed?: number;
  counts?: Partial<SynthCounts>;
  /** Tissue magnification: cells and glands drawn `magnification` times larger (default 1; 2.5 for 64 px CPU inputs). */
  magnification?: number;
  /** Called after each image: (done, total). */
  onProgress?: (done: number, total: number) => void;
}

interface PresetSpec {
  encoding: Record<string, number>;
  /** Defaults mirror GlaS fold 0 (67/18/6/80 with its class balance) and a balanced CAMELYON-like set. */
  counts: SynthCounts;
  /** Class 0 images have no ROI (no mask file): CAMELYON normal patches. */
  negativeClass0: boolean;
  draw: (size: number, cls: number, rng: ReturnType<typeof rngStream>, magnification: number) => TissueImage;
}

export const PRESETS: Record<SynthPreset, PresetSpec> = {
  'synth-glas': {
    encoding: { benign: 0, malignant: 1 },
    counts: { train: [29, 38], valcl: [8, 10], test: [37, 43], valpx: 3 },
    negativeClass0: false,
    draw: (s, cls, rng, mag) => drawColonTissue(s, cls === 1, rng, mag),
  },
  'synth-camelyon': {
    encoding: { normal: 0, tumor: 1 },
    counts: { train: [48, 48], valcl: [12, 12], test: [40, 40], valpx: 5 },
    negativeClass0: true,
    draw: (s, cls, rng, mag) => drawLymphNode(s, cls === 1, rng, mag),
  },
};

/** Bumped whenever the generator's output changes, so stale folders get regenerated. */
export const GENERATOR_VERSION = 1;

export interface SynthManifest {
  generator: 'wslbench-synth';
  version: number;
  preset: SynthPreset;
  size: number;
  seed: number;
  magnification?: number;
  counts: SynthCounts;
  images: number;
  seconds: number;
}

export function resolveCounts(preset: SynthPreset, c: Partial<SynthCounts> = {}): SynthCounts {
  return { ...PRESETS[preset].counts, ...c };
}

/**
 * Generate a preset into `dir` in the split-file format: `encoding.yaml`, `fold-0/<split>/*.txt`, `images/*.png`,
 * `masks/*.png` (0/255) and `synth.json`. Deterministic: image k of a split depends only on (seed, preset, split, k).
 */
export async function generateSynthetic(
  preset: SynthPreset,
  dir: string,
  opts: SynthOptions = {},
): Promise<SynthManifest> {
  const spec = PRESETS[preset];
  if (!spec) throw new Error(`unknown synthetic preset '${preset}' (expected ${SYNTH_PRESETS.join(' | ')})`);
  const size = opts.size ?? 128;
  const seed = opts.seed ?? 0;
  const magnification = opts.magnification ?? 1;
  if (!Number.isInteger(size) || size < 16) throw new Error(`synthetic size must be an integer >= 16, got ${size}`);
  const counts = resolveCounts(preset, opts.counts);
  const t0 = performance.now();
  const parts: ['train' | 'valcl' | 'test', [number, number]][] = [
    ['train', counts.train],
    ['valcl', counts.valcl],
    ['test', counts.test],
  ];
  const total = parts.reduce((a, [, c]) => a + c[0] + c[1], 0);
  let done = 0;
  const splits: Partial<Record<SplitName, SplitRow[]>> = {};
  for (const [split, perClass] of parts) {
    const rows: SplitRow[] = [];
    // Interleave classes so any prefix of a split is balanced-ish.
    const labels: number[] = [];
    for (let k = 0; labels.length < perClass[0] + perClass[1]; k++) {
      if (k < perClass[0]) labels.push(0);
      if (k < perClass[1]) labels.push(1);
    }
    const pending: Promise<void>[] = [];
    for (let k = 0; k < labels.length; k++) {
      const cls = labels[k]!;
      const name = `${split}_${String(k + 1).padStart(3, '0')}`;
      const img = spec.draw(size, cls, rngStream(seed, preset, split, k), magnification);
      const id = `images/${name}.png`;
      const negative = spec.negativeClass0 && cls === 0;
      const row: SplitRow = { id, label: cls, width: size, height: size, masks: negative ? [] : [`masks/${name}.png`] };
      rows.push(row);
      pending.push(
        (async () => {
          writeFileAtomic(join(dir, id), await encodePng({ width: size, height: size, channels: 3, data: img.rgb }));
          if (!negative) {
            const m = new Uint8Array(img.mask.length);
            for (let i = 0; i < m.length; i++) m[i] = img.mask[i] ? 255 : 0;
            writeFileAtomic(
              join(dir, row.masks![0]!),
              await encodePng({ width: size, height: size, channels: 1, data: m }),
            );
          }
        })(),
      );
      opts.onProgress?.(++done, total);
      if (pending.length >= 8) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    splits[split] = rows;
  }
  splits.valpx = drawFewShot(splits.valcl!, counts.valpx, 2, rngStream(seed, preset, 'valpx'));
  writeFileAtomic(join(dir, 'encoding.yaml'), formatEncoding(spec.encoding));
  for (const [s, rows] of Object.entries(splits)) writeSplit(join(dir, 'fold-0', s), rows);
  const manifest: SynthManifest = {
    generator: 'wslbench-synth',
    version: GENERATOR_VERSION,
    preset,
    size,
    seed,
    magnification,
    counts,
    images: total,
    seconds: Math.round((performance.now() - t0) / 10) / 100,
  };
  writeJsonAtomic(join(dir, 'synth.json'), manifest);
  return manifest;
}

/** The manifest of a generated folder, or undefined. */
export function readManifest(dir: string): SynthManifest | undefined {
  const p = join(dir, 'synth.json');
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as SynthManifest;
}

/**
 * Generate `preset` into `dir` unless a folder generated with the same preset, version, size, seed and counts is already
 * there (idempotent). A folder generated with other settings is regenerated; a non-empty folder that was not generated
 * by us is an error (never overwritten).
 */
export async function ensureSynthetic(
  preset: SynthPreset,
  dir: string,
  opts: SynthOptions = {},
): Promise<{ manifest: SynthManifest; generated: boolean }> {
  const want = {
    size: opts.size ?? 128,
    seed: opts.seed ?? 0,
    magnification: opts.magnification ?? 1,
    counts: resolveCounts(preset, opts.counts),
  };
  const have = readManifest(dir);
  if (
    have &&
    have.preset === preset &&
    have.version === GENERATOR_VERSION &&
    have.size === want.size &&
    have.seed === want.seed &&
    (have.magnification ?? 1) === want.magnification &&
    JSON.stringify(have.counts) === JSON.stringify(want.counts)
  )
    return { manifest: have, generated: false };
  if (!have && existsSync(dir) && readdirSync(dir).length > 0)
    throw new Error(`${dir}: exists, is not empty and has no synth.json; refusing to generate ${preset} into it`);
  if (have)
    for (const sub of ['images', 'masks', 'fold-0', 'synth.json'])
      rmSync(join(dir, sub), { recursive: true, force: true });
  return { manifest: await generateSynthetic(preset, dir, opts), generated: true };
}
