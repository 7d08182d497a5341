import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFixtureResults } from '../testing/fixtures.js';
import { jet, overlayMap, overlayMask } from './colormap.js';
import { galleryFromSavedMaps, gallerySections } from './from-files.js';
import { listSavedMapRuns, readSavedMap, savedInputPath, writeSavedMap } from './map-files.js';
import { renderGalleryRow } from './row.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wslbench-report-gallery-'));
  await writeFixtureResults(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pixel(png: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

describe('colour maps', () => {
  it('jet: 0 -> dark blue, 0.5 -> (128,255,128), 1 -> dark red', () => {
    expect(jet(0)).toEqual([0, 0, 128]);
    expect(jet(0.5)).toEqual([128, 255, 128]);
    expect(jet(1)).toEqual([128, 0, 0]);
    expect(jet(0.25)).toEqual([0, 128, 255]);
  });

  it('alpha blend of map and mask overlays, checked by hand', () => {
    const img = new Uint8Array([100, 50, 200, 10, 20, 30]);
    expect([...overlayMap(img, new Float32Array([1, 0]), 0.5)]).toEqual([114, 25, 100, 5, 10, 79]);
    expect([...overlayMask(img, new Uint8Array([1, 0]))]).toEqual([178, 25, 100, 10, 20, 30]);
    expect(() => overlayMap(img, new Float32Array([1.5, 0]))).toThrow('not in [0, 1]');
    expect(() => overlayMap(img, new Float32Array([1]))).toThrow('image length 6 != 3 x map length 1');
  });
});

describe('renderGalleryRow', () => {
  it('lays out image | ground truth | maps with captions; pixels are the blends', async () => {
    const w = 4;
    const h = 4;
    const image = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) image.set([100, 50, 200], 3 * i);
    const png = await renderGalleryRow({
      image,
      width: w,
      height: h,
      mask: new Uint8Array(w * h).fill(1),
      maps: [
        { label: 'CAM', map: new Float32Array(w * h).fill(1) },
        { label: 'NEGEV', map: new Float32Array(w * h).fill(0) },
        { label: 'U-Net', map: null },
      ],
      tile: 8,
    });
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([5 * 8 + 4 * 4, 8 + 22]);
    const at = (k: number) => pixel(png, k * 12 + 4, 22 + 4);
    expect(await at(0)).toEqual([100, 50, 200]);
    expect(await at(1)).toEqual([178, 25, 100]); // red tint
    expect(await at(2)).toEqual([114, 25, 100]); // jet(1) = (128,0,0)
    expect(await at(3)).toEqual([50, 25, 164]); // jet(0) = (0,0,128)
    expect(await at(4)).toEqual([221, 221, 221]); // 'no map' placeholder
  });

  it('rejects maps of the wrong size', async () => {
    await expect(
      renderGalleryRow({
        image: new Uint8Array(12),
        width: 2,
        height: 2,
        mask: new Uint8Array(4),
        maps: [{ label: 'x', map: new Float32Array(3) }],
      }),
    ).rejects.toThrow("map 'x' length 3 != 2x2");
  });
});

describe('saved maps on disk', () => {
  it('round-trips a map through 8-bit grey PNG within half a grey level', async () => {
    const map = Float32Array.from({ length: 12 }, (_, i) => i / 11);
    const key = { dataset: 'synth-glas', method: 'negev', backbone: 'vgg16:w0.125', fold: 1, seed: 2 };
    const path = await writeSavedMap(dir, { ...key, imageId: 'rt', map, width: 4, height: 3 });
    expect(path).toBe(join(dir, 'maps/synth-glas/negev/vgg16_w0.125/f1-s2/rt.png'));
    const back = await readSavedMap(dir, key, 'rt');
    expect([back.width, back.height]).toEqual([4, 3]);
    const maxErr = Math.max(...back.map.map((v, i) => Math.abs(v - map[i]!)));
    expect(maxErr).toBeLessThanOrEqual(0.5 / 255 + 1e-7);
    expect(listSavedMapRuns(dir, 'synth-glas').some((r) => r.method === 'negev' && r.fold === 1 && r.seed === 2)).toBe(
      true,
    );
    rmSync(join(dir, 'maps/synth-glas/negev/vgg16_w0.125/f1-s2'), { recursive: true });
  });

  it('rejects out-of-range values, wrong sizes and unsafe names', async () => {
    const key = { dataset: 'synth-glas', method: 'negev', backbone: 'vgg16', fold: 0, seed: 0, width: 2, height: 1 };
    await expect(
      writeSavedMap(dir, { ...key, imageId: 'a', map: new Float32Array([0.5, Number.NaN]) }),
    ).rejects.toThrow('not in [0, 1]');
    await expect(writeSavedMap(dir, { ...key, imageId: 'a', map: new Float32Array(3) })).rejects.toThrow(
      'length 3 != 2x1x1',
    );
    expect(() => savedInputPath(dir, 'synth-glas', '../etc')).toThrow("imageId '../etc'");
  });

  it('galleries from the fixture folder: CAM | NEGEV | U-Net per image, errors name what exists', async () => {
    const rows = await galleryFromSavedMaps(dir, { dataset: 'synth-glas' });
    expect(rows.map((r) => r.imageId)).toEqual(['test-0', 'test-1']);
    expect(rows[0]!.columns.map((c) => [c.label, c.run])).toEqual([
      ['CAM', 'f0-s0'],
      ['NEGEV', 'f0-s0'],
      ['U-Net', 'f0-s0'],
    ]);
    const meta = await sharp(rows[0]!.png).metadata();
    expect([meta.width, meta.height]).toEqual([5 * 160 + 4 * 4, 160 + 22]);
    const sections = await gallerySections(dir);
    expect(sections.map((s) => s.dataset)).toEqual(['synth-glas', 'synth-camelyon']);
    await expect(galleryFromSavedMaps(dir, { dataset: 'synth-glas', method: 'gradcam' })).rejects.toThrow(
      '(have: cam, negev, unet)',
    );
    await expect(galleryFromSavedMaps(dir, { dataset: 'synth-glas', images: ['nope'] })).rejects.toThrow('nope');
    await expect(galleryFromSavedMaps(dir, { dataset: 'synth-glas', method: 'negev', run: 'f0-s9' })).rejects.toThrow(
      '(have: f0-s0)',
    );
  });
});
