import { readFile } from 'node:fs/promises';
import { decode as decodeBmp } from 'fast-bmp';
import sharp from 'sharp';

/** Decoded pixels, row-major, top row first, `channels` interleaved uint8. */
export interface RawImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

const isBmp = (path: string) => path.toLowerCase().endsWith('.bmp');

/** Decode an image file to RGB (BMP through fast-bmp: sharp has no BMP reader; others through sharp). */
export async function readRgb(path: string): Promise<RawImage> {
  const img = await decodeAny(path);
  if (img.channels === 3) return img;
  if (img.channels === 4) return dropAlpha(img);
  if (img.channels === 1 && !isBmp(path)) return greyToRgb(img);
  throw new Error(`${path}: expected an RGB image, got ${img.channels} channel(s)`);
}

/**
 * Decode a mask to one channel: 8-bit palette BMPs give their raw indices (GlaS instance ids), grey PNGs their
 * value. Colour masks are accepted only when R = G = B (grey stored as RGB).
 */
export async function readMask(path: string): Promise<RawImage> {
  const img = await decodeAny(path);
  if (img.channels === 1) return img;
  const c = img.channels;
  const colour = c === 2 ? 1 : 3; // grey+alpha or RGB(A)
  const out = new Uint8Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) {
    const v = img.data[i * c]!;
    if (colour === 3 && (img.data[i * c + 1] !== v || img.data[i * c + 2] !== v))
      throw new Error(
        `${path}: mask is a colour image (pixel ${i % img.width},${Math.floor(i / img.width)} has R,G,B = ` +
          `${v},${img.data[i * c + 1]},${img.data[i * c + 2]}); expected a binary or instance-id map`,
      );
    out[i] = v;
  }
  return { width: img.width, height: img.height, channels: 1, data: out };
}

async function decodeAny(path: string): Promise<RawImage> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    if (isBmp(path)) {
      const d = decodeBmp(buf);
      const data = d.data instanceof Uint8Array ? d.data : new Uint8Array(d.data as ArrayBufferLike);
      return { width: d.width, height: d.height, channels: d.channels, data };
    }
    const { data, info } = await sharp(buf).raw().toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      channels: info.channels,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (e) {
    throw new Error(`${path}: cannot decode image (${e instanceof Error ? e.message : String(e)})`);
  }
}

function dropAlpha(img: RawImage): RawImage {
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = img.data[i * 4]!;
    out[i * 3 + 1] = img.data[i * 4 + 1]!;
    out[i * 3 + 2] = img.data[i * 4 + 2]!;
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

function greyToRgb(img: RawImage): RawImage {
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = img.data[i]!;
  return { width: img.width, height: img.height, channels: 3, data: out };
}

/** Encode raw pixels (1 or 3 channels) as PNG; `palette` quantises to <= 256 colours (small previews, lossy). */
export async function encodePng(img: RawImage, palette = false): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: img.channels as 1 | 3 },
  })
    .png(palette ? { palette: true, quality: 95, effort: 7 } : { compressionLevel: 6 })
    .toBuffer();
}

/** Width and height from a PNG header (IHDR), without decoding. */
export function pngSize(head: Uint8Array, path: string): { width: number; height: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47];
  if (head.length < 24 || sig.some((b, i) => head[i] !== b)) throw new Error(`${path}: not a PNG file`);
  const v = new DataView(head.buffer, head.byteOffset, head.length);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}
