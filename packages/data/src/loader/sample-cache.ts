import { join } from 'node:path';
import { readMask, readRgb } from '../io/image-io.js';
import type { SplitRow } from '../splits.js';
import type { SquareSample } from '../transforms/protocol.js';
import { resizeBilinear, resizeNearest } from '../transforms/resize.js';

interface Entry {
  image: Uint8Array;
  mask?: Uint8Array;
  bytes: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Wall time spent decoding and resizing on misses (ms, summed over concurrent loads). */
  decodeMs: number;
  bytes: number;
  entries: number;
}

/**
 * Decodes each (image, size) once and keeps the square-resized uint8 pixels (and binarised mask) in memory, least
 * recently used first out when the byte budget is exceeded. Resizing first is exact: the first step of every protocol
 * transform is a deterministic square resize.
 */
export class SampleCache {
  private readonly map = new Map<string, Entry>();
  private bytes = 0;
  readonly stats: CacheStats = { hits: 0, misses: 0, decodeMs: 0, bytes: 0, entries: 0 };

  constructor(
    private readonly root: string,
    private readonly budgetBytes = 1 << 30,
  ) {}

  async get(row: SplitRow, size: number, withMask: boolean): Promise<SquareSample> {
    const key = `${size}\u0000${row.id}`;
    let e = this.map.get(key);
    if (e && (!withMask || e.mask)) {
      this.stats.hits++;
      this.map.delete(key);
      this.map.set(key, e);
      return { size, image: e.image, mask: withMask ? e.mask : undefined };
    }
    this.stats.misses++;
    const t0 = performance.now();
    e = await this.load(row, size, withMask);
    this.stats.decodeMs += performance.now() - t0;
    const old = this.map.get(key);
    if (old) this.bytes -= old.bytes;
    this.map.delete(key);
    this.map.set(key, e);
    this.bytes += e.bytes;
    while (this.bytes > this.budgetBytes && this.map.size > 1) {
      const [k, v] = this.map.entries().next().value as [string, Entry];
      this.map.delete(k);
      this.bytes -= v.bytes;
    }
    this.stats.bytes = this.bytes;
    this.stats.entries = this.map.size;
    return { size, image: e.image, mask: withMask ? e.mask : undefined };
  }

  private async load(row: SplitRow, size: number, withMask: boolean): Promise<Entry> {
    const img = await readRgb(join(this.root, row.id));
    const image = resizeBilinear(img.data, img.width, img.height, 3, size, size);
    let mask: Uint8Array | undefined;
    if (withMask) {
      if (row.masks === undefined)
        throw new Error(`${row.id}: its split has no localization.txt, masks are unavailable`);
      mask = new Uint8Array(size * size);
      for (const rel of row.masks) {
        const path = join(this.root, rel);
        const m = await readMask(path);
        if (m.width !== img.width || m.height !== img.height)
          throw new Error(
            `${path}: mask is ${m.width}x${m.height} but its image ${row.id} is ${img.width}x${img.height}`,
          );
        const r = resizeNearest(m.data, m.width, m.height, 1, size, size);
        // Binarise > 0.5 (instance ids and 255-valued masks -> 1); several masks are OR-ed.
        for (let i = 0; i < r.length; i++) if (r[i]! > 0) mask[i] = 1;
      }
    }
    return { image, mask, bytes: image.length + (mask?.length ?? 0) };
  }
}
