import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBmp8, encodeBmp24 } from './bmp-writer.js';
import { encodePng, readMask, readRgb } from './image-io.js';

describe('image io', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wsl-io-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('24-bit BMP (odd width: row padding, bottom-up rows) decodes to the same RGB', async () => {
    const w = 5;
    const h = 3;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);
    const p = join(dir, 'x.bmp');
    writeFileSync(p, encodeBmp24(w, h, rgb));
    const img = await readRgb(p);
    expect([img.width, img.height, img.channels]).toEqual([w, h, 3]);
    expect(Array.from(img.data)).toEqual(Array.from(rgb));
  });

  test('8-bit palette BMP gives raw instance ids', async () => {
    const w = 7;
    const h = 2;
    const ids = Uint8Array.from([0, 1, 1, 0, 2, 2, 17, 0, 0, 3, 3, 3, 0, 255]);
    const p = join(dir, 'x_anno.bmp');
    writeFileSync(p, encodeBmp8(w, h, ids));
    const m = await readMask(p);
    expect([m.width, m.height, m.channels]).toEqual([w, h, 1]);
    expect(Array.from(m.data)).toEqual(Array.from(ids));
  });

  test('PNG: RGB image and grey mask round trip; colour masks and garbage are rejected with the path', async () => {
    const rgb = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => i * 5);
    const p = join(dir, 'i.png');
    writeFileSync(p, await encodePng({ width: 4, height: 4, channels: 3, data: rgb }));
    expect(Array.from((await readRgb(p)).data)).toEqual(Array.from(rgb));
    const grey = Uint8Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? 255 : 0));
    const q = join(dir, 'm.png');
    writeFileSync(q, await encodePng({ width: 4, height: 4, channels: 1, data: grey }));
    expect(Array.from((await readMask(q)).data)).toEqual(Array.from(grey));
    await expect(readMask(p)).rejects.toThrow(`${p}: mask is a colour image`);
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, 'not a png');
    await expect(readRgb(bad)).rejects.toThrow(`${bad}: cannot decode image`);
    await expect(readRgb(join(dir, 'none.png'))).rejects.toThrow(/none.png: cannot read \(ENOENT\)/);
  });
});
