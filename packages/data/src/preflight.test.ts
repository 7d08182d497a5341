import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng } from './io/image-io.js';
import { openDataset } from './open-dataset.js';
import { preflightDataset } from './preflight.js';
import { generateSynthetic } from './synth/generate.js';

let dir: string;
const cacheDir = () => join(dir, 'cache');
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wsl-preflight-'));
  await generateSynthetic('synth-glas', join(dir, 'ds'), {
    size: 24,
    counts: { train: [3, 3], valcl: [2, 2], test: [2, 2], valpx: 1 },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('preflightDataset', () => {
  test('decodes each row once; later runs only check presence until a file changes', async () => {
    const ds = await openDataset({ dataset: join(dir, 'ds') });
    expect(await preflightDataset(ds, undefined, { cacheDir: cacheDir() })).toEqual({ rows: 14, decoded: 14 });
    expect(await preflightDataset(ds, undefined, { cacheDir: cacheDir() })).toEqual({ rows: 14, decoded: 0 });
    // A rewritten file (same bytes, new time) is decoded again.
    const img = join(dir, 'ds', 'images', 'test_001.png');
    writeFileSync(img, readFileSync(img));
    expect((await preflightDataset(ds, undefined, { cacheDir: cacheDir() })).decoded).toBe(1);
  });

  test('refuses naming every bad file: a missing image, a corrupt image, a mask of the wrong size', async () => {
    const ds = await openDataset({ dataset: join(dir, 'ds') });
    await preflightDataset(ds, undefined, { cacheDir: cacheDir() }); // all cached as valid first
    const root = join(dir, 'ds');
    unlinkSync(join(root, 'images', 'train_002.png'));
    const corrupt = join(root, 'images', 'train_003.png');
    writeFileSync(corrupt, readFileSync(corrupt).subarray(0, 40));
    const mask = join(root, 'masks', 'test_002.png');
    writeFileSync(mask, await encodePng({ width: 16, height: 16, channels: 1, data: new Uint8Array(256) }));
    let message = '';
    try {
      await preflightDataset(ds, undefined, { cacheDir: cacheDir() });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^dataset folder-[0-9a-f]{12} at .*: 3 problem\(s\) in the files of the splits this run reads/,
    );
    expect(message).toContain(`${join(root, 'images', 'train_002.png')}: missing`);
    expect(message).toContain(`${corrupt}: cannot decode image`);
    expect(message).toContain(`${mask}: mask is 16x16 but its image is 24x24`);
  });
});
