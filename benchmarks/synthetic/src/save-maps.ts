import { basename, extname } from 'node:path';
import type { RunConfig } from '@wslbench/core';
import { writeSavedInput, writeSavedMap } from '@wslbench/report';
import type { EvalMaps } from '@wslbench/trainer';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** A file-name-safe image id: 'images/test_001.png' -> 'test_001'. */
export function galleryImageId(id: string): string {
  return basename(id, extname(id)).replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * Save the first `count` test images of a run (image and mask once per dataset, the map per run) in the report's
 * gallery layout, so that `wslbench report` and `wslbench visualize` can show any method's maps.
 */
export function mapSaver(config: RunConfig, dataset: string, count: number): (b: EvalMaps) => Promise<void> {
  let saved = 0;
  return async (b) => {
    const px = b.height * b.width;
    const [, ih, iw] = b.imageShape as [number, number, number, number];
    if (ih !== b.height || iw !== b.width) return;
    for (let i = 0; i < b.n && saved < count; i++, saved++) {
      const imageId = galleryImageId(b.ids[i] ?? `image-${saved}`);
      const image = new Uint8Array(px * 3);
      for (let k = 0; k < px * 3; k++) {
        const c = k % 3;
        image[k] = Math.max(0, Math.min(255, Math.round((b.images[i * px * 3 + k]! * STD[c]! + MEAN[c]!) * 255)));
      }
      const mask = new Uint8Array(px);
      for (let k = 0; k < px; k++) mask[k] = b.masks[i * px + k] === 1 ? 1 : 0;
      await writeSavedInput(config.resultsDir, { dataset, imageId, image, mask, width: b.width, height: b.height });
      await writeSavedMap(config.resultsDir, {
        dataset,
        method: config.method,
        backbone: config.backbone,
        fold: config.fold,
        seed: config.seed,
        imageId,
        map: b.maps.slice(i * px, (i + 1) * px),
        width: b.width,
        height: b.height,
      });
    }
  };
}
