import { loadRecords } from '../load.js';
import { compareBackbones, compareDatasets, compareMethods, methodInfo } from '../names.js';
import {
  backboneDir,
  listMapDatasets,
  listSavedImages,
  listSavedMapRuns,
  readSavedInput,
  readSavedMap,
  readSavedMask,
  type SavedMapRun,
} from './map-files.js';
import { renderGalleryRow } from './row.js';

export interface GalleryOptions {
  dataset: string;
  /** The method shown between CAM and U-Net (default: NEGEV if saved, else every method with saved maps). */
  method?: string;
  /** Backbone id or folder name (default: the backbone with the most methods saved). */
  backbone?: string;
  /** Run of `method` to show, 'f<fold>-s<seed>' (default: the smallest fold, then seed, saved). */
  run?: string;
  /** Image ids (default: the first `maxImages` saved). */
  images?: readonly string[];
  maxImages?: number;
}

export interface GalleryColumn {
  label: string;
  method: string;
  /** 'f0-s1' of the run whose map is shown, or null when none is saved. */
  run: string | null;
}

export interface GalleryRow {
  dataset: string;
  imageId: string;
  backbone: string;
  columns: GalleryColumn[];
  png: Buffer;
}

const runOrder = (a: SavedMapRun, b: SavedMapRun) => a.fold - b.fold || a.seed - b.seed;

/** Base backbone of a folder name ('vgg16_w0.125' -> 'vgg16') for ordering. */
const baseOfDir = (d: string) => d.split('_')[0]!;

/**
 * Gallery rows (image | ground truth | CAM | method map(s) | U-Net) from maps saved under <results>/maps.
 * For each method the run with the smallest (fold, seed) is shown; a missing map is a grey 'no map' tile.
 */
export async function galleryFromSavedMaps(resultsDir: string, opts: GalleryOptions): Promise<GalleryRow[]> {
  const { dataset } = opts;
  loadRecords(resultsDir); // the methods' names and order come from their records
  const runs = listSavedMapRuns(resultsDir, dataset);
  let bbDir: string;
  if (opts.backbone) {
    bbDir = backboneDir(opts.backbone);
    if (!runs.some((r) => r.backboneDir === bbDir)) {
      throw new Error(
        `no saved maps for backbone '${opts.backbone}' in ${resultsDir}/maps/${dataset} (have: ${[...new Set(runs.map((r) => r.backboneDir))].join(', ') || 'none'})`,
      );
    }
  } else {
    const counts = new Map<string, Set<string>>();
    for (const r of runs) counts.set(r.backboneDir, (counts.get(r.backboneDir) ?? new Set()).add(r.method));
    const best = [...counts].sort(
      (a, b) => b[1].size - a[1].size || compareBackbones(baseOfDir(a[0]), baseOfDir(b[0])) || a[0].localeCompare(b[0]),
    )[0];
    if (!best) throw new Error(`no saved maps under ${resultsDir}/maps/${dataset}`);
    bbDir = best[0];
  }
  const onBackbone = runs.filter((r) => r.backboneDir === bbDir);
  const have = [...new Set(onBackbone.map((r) => r.method))].sort(compareMethods);
  if (opts.method && !have.includes(opts.method)) {
    throw new Error(
      `no saved maps for method '${opts.method}' on ${dataset}/${bbDir} (have: ${have.join(', ') || 'none'})`,
    );
  }
  const middle = opts.method
    ? [opts.method]
    : have.includes('negev')
      ? ['negev']
      : have.filter((m) => m !== 'cam' && m !== 'unet');
  const methods = [...new Set(['cam', ...middle, 'unet'])];

  const chosen = new Map<string, SavedMapRun | undefined>(
    methods.map((m) => [m, onBackbone.filter((r) => r.method === m).sort(runOrder)[0]]),
  );
  if (opts.run) {
    if (!opts.method) throw new Error('gallery option run needs method');
    const r = onBackbone.find((x) => x.method === opts.method && `f${x.fold}-s${x.seed}` === opts.run);
    if (!r) {
      const have = onBackbone.filter((x) => x.method === opts.method).map((x) => `f${x.fold}-s${x.seed}`);
      throw new Error(
        `no saved maps of run ${opts.run} for ${dataset}/${opts.method}/${bbDir} (have: ${have.join(', ')})`,
      );
    }
    chosen.set(opts.method, r);
  }
  const saved = listSavedImages(resultsDir, dataset);
  const withMaps = saved.filter((id) => [...chosen.values()].some((r) => r?.imageIds.includes(id)));
  let images: readonly string[];
  if (opts.images) {
    const missing = opts.images.filter((id) => !saved.includes(id));
    if (missing.length)
      throw new Error(`images not saved under ${resultsDir}/maps/${dataset}/_inputs (+_masks): ${missing.join(', ')}`);
    images = opts.images;
  } else {
    images = withMaps.slice(0, opts.maxImages ?? 4);
  }

  const rows: GalleryRow[] = [];
  for (const imageId of images) {
    const img = await readSavedInput(resultsDir, dataset, imageId);
    const mask = await readSavedMask(resultsDir, dataset, imageId);
    const columns: GalleryColumn[] = [];
    const maps: { label: string; map: Float32Array | null }[] = [];
    for (const m of methods) {
      const run = chosen.get(m);
      const label = methodInfo(m).display;
      if (run?.imageIds.includes(imageId)) {
        const key = { dataset, method: m, backbone: bbDir, fold: run.fold, seed: run.seed };
        const saved = await readSavedMap(resultsDir, key, imageId);
        if (saved.width !== img.width || saved.height !== img.height) {
          throw new Error(
            `saved map ${dataset}/${m}/${bbDir}/f${run.fold}-s${run.seed}/${imageId}.png is ${saved.width}x${saved.height}, image is ${img.width}x${img.height}`,
          );
        }
        maps.push({ label, map: saved.map });
        columns.push({ label, method: m, run: `f${run.fold}-s${run.seed}` });
      } else {
        maps.push({ label, map: null });
        columns.push({ label, method: m, run: null });
      }
    }
    const png = await renderGalleryRow({
      image: img.data,
      width: img.width,
      height: img.height,
      mask: mask.data,
      maps,
    });
    rows.push({ dataset, imageId, backbone: bbDir, columns, png });
  }
  return rows;
}

/** One gallery per dataset with saved maps (CAM | NEGEV | U-Net when saved, as in the paper's figures). */
export async function gallerySections(
  resultsDir: string,
  maxImages = 4,
): Promise<{ dataset: string; rows: GalleryRow[] }[]> {
  const out: { dataset: string; rows: GalleryRow[] }[] = [];
  for (const dataset of listMapDatasets(resultsDir).sort(compareDatasets)) {
    if (listSavedMapRuns(resultsDir, dataset).length === 0) continue;
    out.push({ dataset, rows: await galleryFromSavedMaps(resultsDir, { dataset, maxImages }) });
  }
  return out;
}
