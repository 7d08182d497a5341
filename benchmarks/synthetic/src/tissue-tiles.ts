import * as tf from '@tensorflow/tfjs-core';
import type { Batch, ClassEncoding, Rng } from '@wslbench/core';

/**
 * Tissue-type tiles for pretraining, the synthetic analogue of NCT-CRC-HE-100K (Kather et al. 2019: tiles of
 * pathologist-delineated tissue regions, one tissue type each), which histology encoders are commonly pretrained on.
 * Tiles are cut from the pretraining pool's augmented crops and labelled by the tissue they hold, read from the pool's
 * own masks (pool images only: seed 1, never a benchmark image); a tile mixing tissue types is not used.
 */
export const TILE_CLASSES = ['colon-stroma', 'benign-gland', 'malignant-gland', 'lymph-node', 'tumour'] as const;

export const TILE = {
  /** Tile side and stride on the 64 px training crop: 3 x 3 half-overlapping tiles per crop. */
  size: 32,
  stride: 16,
  /** A tile is background tissue when under this foreground fraction, foreground tissue when over `fgAbove`. */
  bgBelow: 0.1,
  fgAbove: 0.5,
  /**
   * Probability of keeping a pure tile, per tile class: evens out the classes (one epoch of the pool gives about
   * 330 / 640 / 2670 / 3930 / 2370 pure tiles: glands fill most of a malignant crop, lymph tissue most CAMELYON crops).
   */
  keep: [1, 1, 0.3, 0.2, 0.3],
} as const;

/** Per pool class id: the tile class of its background and of its foreground (-1: it has none). */
export type TissueTable = { bg: number; fg: number }[];

/** Tile class of the background and of the foreground of each pool class (keys: the merged pool's class names). */
const TISSUE_OF: Record<string, { bg: number; fg: number }> = {
  'synth-glas:benign': { bg: 0, fg: 1 },
  'synth-glas:malignant': { bg: 0, fg: 2 },
  'synth-camelyon:normal': { bg: 3, fg: -1 },
  'synth-camelyon:tumor': { bg: 3, fg: 4 },
};

/** Per pool class id: its background and foreground tile classes. Throws on a class this table does not know. */
export function tissueTable(encoding: ClassEncoding): TissueTable {
  const table: TissueTable = [];
  for (const [name, id] of Object.entries(encoding)) {
    const t = TISSUE_OF[name];
    if (!t) throw new Error(`tissue tiles: pool class '${name}' has no tissue type (known: ${Object.keys(TISSUE_OF)})`);
    table[id] = t;
  }
  return table;
}

/** Tile class of a tile of an image of pool class `tissue` with this foreground fraction; -1 when mixed. */
export function tileClass(tissue: { bg: number; fg: number }, fgFraction: number): number {
  if (fgFraction < TILE.bgBelow) return tissue.bg;
  if (fgFraction > TILE.fgAbove) return tissue.fg;
  return -1;
}

/**
 * The pure tiles of a batch (which must carry masks), kept with `TILE.keep`'s probabilities drawn from `rng` in
 * (offset, image) order; without `rng` every pure tile is kept. Returns them as a batch of T tiles: images
 * [T, size, size, 3], tile classes [T] (int32), ids `<image id>@<y>,<x>`; the caller disposes it.
 */
export function cutTissueTiles(batch: Batch, table: TissueTable, rng?: Rng): Batch {
  if (!batch.masks) throw new Error('tissue tiles: the batch has no masks (open the pool batches withMasks)');
  const [, h, w] = batch.masks.shape;
  const labels = batch.labels.dataSync();
  const picked: { i: number; y: number; x: number }[] = [];
  const classes: number[] = [];
  const fg = tf.tidy(() => tf.cast(tf.equal(batch.masks!, 1), 'float32'));
  for (let y = 0; y + TILE.size <= h; y += TILE.stride)
    for (let x = 0; x + TILE.size <= w; x += TILE.stride) {
      const fractions = tf.tidy(() => tf.mean(tf.slice(fg, [0, y, x], [-1, TILE.size, TILE.size]), [1, 2]).dataSync());
      for (let i = 0; i < labels.length; i++) {
        const c = tileClass(table[labels[i]!]!, fractions[i]!);
        if (c >= 0 && (!rng || rng() < TILE.keep[c]!)) {
          picked.push({ i, y, x });
          classes.push(c);
        }
      }
    }
  fg.dispose();
  const images = tf.tidy(() =>
    picked.length === 0
      ? tf.zeros([0, TILE.size, TILE.size, batch.images.shape[3]])
      : tf.concat(picked.map(({ i, y, x }) => tf.slice(batch.images, [i, y, x, 0], [1, TILE.size, TILE.size, -1]))),
  ) as tf.Tensor4D;
  return {
    images,
    labels: tf.tensor1d(classes, 'int32'),
    fullyNegative: picked.map(() => false),
    ids: picked.map(({ i, y, x }) => `${batch.ids[i]}@${y},${x}`),
  };
}
