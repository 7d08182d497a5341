import { join } from 'node:path';
import { writeFileAtomic } from '@wslbench/core';
import { encodePng } from './io/image-io.js';
import { SampleCache } from './loader/sample-cache.js';
import type { SplitRow } from './splits.js';

export interface ContactSheetOptions {
  /** Tile size in pixels (images are square-resized to it). */
  tile?: number;
  columns?: number;
  /** How many images of each class (taken in split order). */
  perClass?: number;
  /** Quantise to a 256-colour palette (default true: keeps sheets small enough to commit). */
  palette?: boolean;
}

const CLASS_COLOURS: [number, number, number][] = [
  [40, 110, 230],
  [230, 50, 40],
  [40, 170, 60],
  [200, 160, 0],
];
const OUTLINE: [number, number, number] = [0, 255, 80];

/**
 * A contact sheet: tiles of images with their mask outlines (green) and a class bar on top (blue = class 0,
 * red = class 1). Written as PNG; returns the number of tiles.
 */
export async function writeContactSheet(
  root: string,
  rows: readonly SplitRow[],
  numClasses: number,
  outPath: string,
  opts: ContactSheetOptions = {},
): Promise<number> {
  const tile = opts.tile ?? 128;
  const perClass = opts.perClass ?? 8;
  const picked: SplitRow[] = [];
  for (let c = 0; c < numClasses; c++) picked.push(...rows.filter((r) => r.label === c).slice(0, perClass));
  if (picked.length === 0) throw new Error('contact sheet: no images');
  const cols = opts.columns ?? Math.min(8, picked.length);
  const gridRows = Math.ceil(picked.length / cols);
  const pad = 4;
  const bar = 5;
  const W = cols * (tile + pad) + pad;
  const H = gridRows * (tile + bar + pad) + pad;
  const sheet = new Uint8Array(W * H * 3).fill(255);
  const cache = new SampleCache(root, 1 << 28);
  for (let k = 0; k < picked.length; k++) {
    const r = picked[k]!;
    const s = await cache.get(r, tile, r.masks !== undefined);
    const ox = pad + (k % cols) * (tile + pad);
    const oy = pad + Math.floor(k / cols) * (tile + bar + pad);
    const colour = CLASS_COLOURS[r.label % CLASS_COLOURS.length]!;
    for (let y = 0; y < bar; y++) for (let x = 0; x < tile; x++) sheet.set(colour, ((oy + y) * W + ox + x) * 3);
    for (let y = 0; y < tile; y++) {
      for (let x = 0; x < tile; x++) {
        const i = y * tile + x;
        const o = ((oy + bar + y) * W + ox + x) * 3;
        const m = s.mask;
        const edge =
          m !== undefined &&
          m[i] === 1 &&
          (x === 0 ||
            y === 0 ||
            x === tile - 1 ||
            y === tile - 1 ||
            !m[i - 1] ||
            !m[i + 1] ||
            !m[i - tile] ||
            !m[i + tile]);
        if (edge) sheet.set(OUTLINE, o);
        else sheet.set(s.image.subarray(i * 3, i * 3 + 3), o);
      }
    }
  }
  writeFileAtomic(outPath, await encodePng({ width: W, height: H, channels: 3, data: sheet }, opts.palette ?? true));
  return picked.length;
}

export const previewPath = (dir: string) => join(dir, 'preview.png');
