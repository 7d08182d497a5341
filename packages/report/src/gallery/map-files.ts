import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@wslbench/core';
import sharp from 'sharp';

/*
 * On-disk format of saved maps (written by the trainer, read by galleries and `wslbench visualize`):
 *
 *   <results>/maps/<dataset>/_inputs/<imageId>.png                 the test image, 8-bit RGB, W x H
 *   <results>/maps/<dataset>/_masks/<imageId>.png                  its ground truth, 8-bit grey, 0 = bg, 255 = fg
 *   <results>/maps/<dataset>/<method>/<backbone>/f<fold>-s<seed>/<imageId>.png
 *                                                                  a localization map in [0,1] as 8-bit grey
 *                                                                  (round(255 * v)), same W x H as the image
 *
 * <backbone> is spelt as in result paths (':' and '/' -> '_', e.g. 'vgg16_w0.125'); imageId matches
 * [A-Za-z0-9._-]+. Folders starting with '_' are not methods.
 */

export interface MapRunKey {
  dataset: string;
  method: string;
  backbone: string;
  fold: number;
  seed: number;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkName(what: string, v: string): void {
  if (!SAFE.test(v)) throw new Error(`saved maps: ${what} '${v}' must match ${SAFE}`);
}

export const backboneDir = (backbone: string) => backbone.replace(/[:/]/g, '_');

export function savedInputPath(resultsDir: string, dataset: string, imageId: string): string {
  checkName('dataset', dataset);
  checkName('imageId', imageId);
  return join(resultsDir, 'maps', dataset, '_inputs', `${imageId}.png`);
}

export function savedMaskPath(resultsDir: string, dataset: string, imageId: string): string {
  checkName('dataset', dataset);
  checkName('imageId', imageId);
  return join(resultsDir, 'maps', dataset, '_masks', `${imageId}.png`);
}

export function savedMapDir(resultsDir: string, k: MapRunKey): string {
  checkName('dataset', k.dataset);
  checkName('method', k.method);
  return join(resultsDir, 'maps', k.dataset, k.method, backboneDir(k.backbone), `f${k.fold}-s${k.seed}`);
}

export function savedMapPath(resultsDir: string, k: MapRunKey, imageId: string): string {
  checkName('imageId', imageId);
  return join(savedMapDir(resultsDir, k), `${imageId}.png`);
}

function checkSize(what: string, got: number, width: number, height: number, channels: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`${what}: invalid size ${width}x${height}`);
  }
  if (got !== width * height * channels) {
    throw new Error(`${what}: length ${got} != ${width}x${height}x${channels}`);
  }
}

/** Encode a map in [0,1] as 8-bit grey; values outside [0,1] or NaN are an error (maps are normalised first). */
export function mapToGrey(map: Float32Array, what = 'map'): Uint8Array {
  const out = new Uint8Array(map.length);
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (!(v >= 0 && v <= 1)) throw new Error(`${what}: value ${v} at index ${i} is not in [0, 1]`);
    out[i] = Math.round(v * 255);
  }
  return out;
}

/** Write a test image (RGB HWC) and its ground-truth mask (nonzero = foreground). */
export async function writeSavedInput(
  resultsDir: string,
  a: { dataset: string; imageId: string; image: Uint8Array; mask: Uint8Array; width: number; height: number },
): Promise<{ image: string; mask: string }> {
  checkSize(`image '${a.imageId}'`, a.image.length, a.width, a.height, 3);
  checkSize(`mask '${a.imageId}'`, a.mask.length, a.width, a.height, 1);
  const grey = a.mask.map((v) => (v ? 255 : 0));
  const image = savedInputPath(resultsDir, a.dataset, a.imageId);
  const mask = savedMaskPath(resultsDir, a.dataset, a.imageId);
  const raw = (data: Uint8Array, channels: 1 | 3) =>
    sharp(Buffer.from(data), { raw: { width: a.width, height: a.height, channels } });
  writeFileAtomic(image, await raw(a.image, 3).png().toBuffer());
  writeFileAtomic(mask, await raw(grey, 1).png().toBuffer());
  return { image, mask };
}

/** Write one run's map of one image (Float32Array h*w in [0,1]). */
export async function writeSavedMap(
  resultsDir: string,
  k: MapRunKey & { imageId: string; map: Float32Array; width: number; height: number },
): Promise<string> {
  checkSize(`map '${k.imageId}'`, k.map.length, k.width, k.height, 1);
  const path = savedMapPath(resultsDir, k, k.imageId);
  const grey = mapToGrey(k.map, path);
  writeFileAtomic(
    path,
    await sharp(Buffer.from(grey), { raw: { width: k.width, height: k.height, channels: 1 } })
      .png()
      .toBuffer(),
  );
  return path;
}

export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
}

async function readRaw(path: string, channels: 1 | 3): Promise<RawImage> {
  if (!existsSync(path)) throw new Error(`saved maps: missing file ${path}`);
  let img = sharp(path).removeAlpha();
  img = channels === 1 ? img.greyscale() : img.toColourspace('srgb');
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`${path}: decoded ${info.channels} channels, expected ${channels}`);
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

export const readSavedInput = (resultsDir: string, dataset: string, imageId: string) =>
  readRaw(savedInputPath(resultsDir, dataset, imageId), 3);

export async function readSavedMask(resultsDir: string, dataset: string, imageId: string): Promise<RawImage> {
  const m = await readRaw(savedMaskPath(resultsDir, dataset, imageId), 1);
  return { ...m, data: m.data.map((v) => (v >= 128 ? 1 : 0)) };
}

/** A saved map back as Float32Array in [0,1]. */
export async function readSavedMap(
  resultsDir: string,
  k: MapRunKey,
  imageId: string,
): Promise<{ map: Float32Array; width: number; height: number }> {
  const g = await readRaw(savedMapPath(resultsDir, k, imageId), 1);
  return { map: Float32Array.from(g.data, (v) => v / 255), width: g.width, height: g.height };
}

export interface SavedMapRun {
  dataset: string;
  method: string;
  /** As spelt in the folder name ('vgg16_w0.125'). */
  backboneDir: string;
  fold: number;
  seed: number;
  imageIds: string[];
}

const dirs = (p: string) =>
  existsSync(p)
    ? readdirSync(p)
        .filter((n) => statSync(join(p, n)).isDirectory())
        .sort()
    : [];
const pngIds = (p: string) =>
  existsSync(p)
    ? readdirSync(p)
        .filter((n) => n.endsWith('.png') && !n.includes('.tmp-'))
        .map((n) => n.slice(0, -4))
        .sort()
    : [];

/** Datasets with saved inputs under <results>/maps. */
export function listMapDatasets(resultsDir: string): string[] {
  return dirs(join(resultsDir, 'maps')).filter((d) => existsSync(join(resultsDir, 'maps', d, '_inputs')));
}

/** Image ids of a dataset that have both an input and a mask. */
export function listSavedImages(resultsDir: string, dataset: string): string[] {
  const masks = new Set(pngIds(join(resultsDir, 'maps', dataset, '_masks')));
  return pngIds(join(resultsDir, 'maps', dataset, '_inputs')).filter((id) => masks.has(id));
}

/** Every run folder with saved maps of a dataset. */
export function listSavedMapRuns(resultsDir: string, dataset: string): SavedMapRun[] {
  const root = join(resultsDir, 'maps', dataset);
  const out: SavedMapRun[] = [];
  for (const method of dirs(root).filter((d) => !d.startsWith('_'))) {
    for (const bb of dirs(join(root, method))) {
      for (const run of dirs(join(root, method, bb))) {
        const m = /^f(\d+)-s(-?\d+)$/.exec(run);
        if (!m)
          throw new Error(`saved maps: unexpected folder ${join(root, method, bb, run)} (expected f<fold>-s<seed>)`);
        out.push({
          dataset,
          method,
          backboneDir: bb,
          fold: Number(m[1]),
          seed: Number(m[2]),
          imageIds: pngIds(join(root, method, bb, run)),
        });
      }
    }
  }
  return out;
}
