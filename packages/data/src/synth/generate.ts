import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive, rngStream, type SplitName, writeFileAtomic, writeJsonAtomic } from '@wslbench/core';
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

/** Bumped whenever the generator's output changes, so a folder of an older version is never taken for a new one. */
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
 * Written into `<dir>.partial-<pid>` and renamed to `dir` at the end: `dir` holds a complete dataset or nothing, so an
 * interrupted generation blocks no later run. A non-empty `dir` is never written into.
 */
export async function generateSynthetic(
  preset: SynthPreset,
  dir: string,
  opts: SynthOptions = {},
): Promise<SynthManifest> {
  if (!isFree(dir)) throw new Error(`${dir}: exists and is not empty; refusing to generate ${preset} over it`);
  removeStalePartials(dir);
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    const manifest = await writeSynthetic(preset, partial, opts);
    try {
      renameSync(partial, dir); // replaces an empty dir; fails on a non-empty one
    } catch (e) {
      // Another process finished the same dataset first: keep theirs when it is what was asked for.
      const theirs = readManifest(dir);
      if (!theirs || !sameSettings(theirs, preset, settingsOf(preset, opts)))
        throw new Error(`${dir}: cannot move the generated dataset into place (${(e as Error).message})`);
      rmSync(partial, { recursive: true, force: true });
      return theirs;
    }
    return manifest;
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
}

const isFree = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

/** `<dir>.partial-<pid>` folders left by generations whose process is gone (kill -9, power loss). */
function removeStalePartials(dir: string): void {
  const parent = dirname(dir);
  if (!existsSync(parent)) return;
  const prefix = `${basename(dir)}.partial-`;
  for (const f of readdirSync(parent)) {
    if (!f.startsWith(prefix)) continue;
    const pid = Number(f.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid))
      rmSync(join(parent, f), { recursive: true, force: true });
  }
}

async function writeSynthetic(preset: SynthPreset, dir: string, opts: SynthOptions): Promise<SynthManifest> {
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

interface Settings {
  size: number;
  seed: number;
  magnification: number;
  counts: SynthCounts;
}

function settingsOf(preset: SynthPreset, opts: SynthOptions): Settings {
  return {
    size: opts.size ?? 128,
    seed: opts.seed ?? 0,
    magnification: opts.magnification ?? 1,
    counts: resolveCounts(preset, opts.counts),
  };
}

/** Whether a generated folder's manifest is the preset at these settings (current generator version). */
export function manifestMatches(have: SynthManifest, preset: SynthPreset, opts: SynthOptions): boolean {
  return sameSettings(have, preset, settingsOf(preset, opts));
}

function sameSettings(have: SynthManifest, preset: SynthPreset, want: Settings): boolean {
  return (
    have.preset === preset &&
    have.version === GENERATOR_VERSION &&
    have.size === want.size &&
    have.seed === want.seed &&
    (have.magnification ?? 1) === want.magnification &&
    JSON.stringify(have.counts) === JSON.stringify(want.counts)
  );
}

/** The folder of a preset generated with other settings than `dir` holds: `<dir>@<size>px-s<seed>-m<mag>-<hash>`. */
export function settingsFolder(dir: string, preset: SynthPreset, opts: SynthOptions = {}): string {
  const w = settingsOf(preset, opts);
  const hash = createHash('sha256')
    .update(JSON.stringify({ v: GENERATOR_VERSION, counts: w.counts }))
    .digest('hex')
    .slice(0, 6);
  return `${dir}@${w.size}px-s${w.seed}-m${w.magnification}-${hash}`;
}

export interface EnsuredSynthetic {
  manifest: SynthManifest;
  generated: boolean;
  /** Where the dataset is: `dir`, or its settings folder when `dir` holds other data. */
  dir: string;
  /** Why the dataset is not in `dir`, when it is not. */
  note?: string;
}

/**
 * The preset generated with these settings: `dir` when it holds them (idempotent) or is free (generated there);
 * otherwise the settings folder beside it (`settingsFolder`), reused or generated. A generated dataset is immutable:
 * nothing is ever deleted or regenerated in place, so a run reading `dir` is never pulled from under it.
 */
export async function ensureSynthetic(
  preset: SynthPreset,
  dir: string,
  opts: SynthOptions = {},
): Promise<EnsuredSynthetic> {
  const want = settingsOf(preset, opts);
  const have = readManifest(dir);
  if (have && sameSettings(have, preset, want)) return { manifest: have, generated: false, dir };
  if (!have && isFree(dir)) return { manifest: await generateSynthetic(preset, dir, opts), generated: true, dir };
  const alt = settingsFolder(dir, preset, opts);
  const note = have
    ? `${dir} holds ${preset} generated with other settings (${describe(have)}); using ${alt} for ${describe({ ...want, version: GENERATOR_VERSION })}`
    : `${dir} is not empty and has no synth.json; using ${alt}`;
  const altHave = readManifest(alt);
  if (altHave && sameSettings(altHave, preset, want)) return { manifest: altHave, generated: false, dir: alt, note };
  return { manifest: await generateSynthetic(preset, alt, opts), generated: true, dir: alt, note };
}

function describe(m: Omit<Settings, 'magnification'> & { magnification?: number; version: number }): string {
  const c = m.counts;
  return `v${m.version}, ${m.size} px, seed ${m.seed}, magnification ${m.magnification ?? 1}, train ${c.train}, valcl ${c.valcl}, test ${c.test}, valpx ${c.valpx}`;
}
