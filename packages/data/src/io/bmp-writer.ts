/**
 * A minimal BMP writer (BITMAPINFOHEADER, bottom-up rows, 4-byte row padding) for test fixtures in the exact
 * formats of the GlaS release: 24-bit BGR images and 8-bit palette instance-id masks.
 */

/** 24-bit BMP from RGB bytes (row-major, top row first). */
export function encodeBmp24(width: number, height: number, rgb: Uint8Array): Uint8Array {
  if (rgb.length !== width * height * 3) throw new Error(`encodeBmp24: expected ${width * height * 3} bytes`);
  const stride = Math.ceil((width * 3) / 4) * 4;
  const out = header(width, height, 24, stride, 0);
  const off = 54;
  for (let y = 0; y < height; y++) {
    const row = off + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      out[row + x * 3] = rgb[s + 2]!;
      out[row + x * 3 + 1] = rgb[s + 1]!;
      out[row + x * 3 + 2] = rgb[s]!;
    }
  }
  return out;
}

/** 8-bit palette BMP whose pixel bytes are palette indices (grey palette: index i -> (i, i, i)). */
export function encodeBmp8(width: number, height: number, indices: Uint8Array): Uint8Array {
  if (indices.length !== width * height) throw new Error(`encodeBmp8: expected ${width * height} bytes`);
  const stride = Math.ceil(width / 4) * 4;
  const out = header(width, height, 8, stride, 256);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 256; i++) view.setUint32(54 + i * 4, (i << 16) | (i << 8) | i, true);
  const off = 54 + 1024;
  for (let y = 0; y < height; y++)
    out.set(indices.subarray(y * width, (y + 1) * width), off + (height - 1 - y) * stride);
  return out;
}

function header(width: number, height: number, bpp: number, stride: number, paletteSize: number): Uint8Array {
  const dataOffset = 54 + paletteSize * 4;
  const size = dataOffset + stride * height;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out[0] = 0x42; // 'B'
  out[1] = 0x4d; // 'M'
  v.setUint32(2, size, true);
  v.setUint32(10, dataOffset, true);
  v.setUint32(14, 40, true); // BITMAPINFOHEADER
  v.setInt32(18, width, true);
  v.setInt32(22, height, true); // positive: bottom-up
  v.setUint16(26, 1, true);
  v.setUint16(28, bpp, true);
  v.setUint32(30, 0, true); // BI_RGB
  v.setUint32(34, stride * height, true);
  v.setInt32(38, 2835, true);
  v.setInt32(42, 2835, true);
  v.setUint32(46, paletteSize, true);
  v.setUint32(50, 0, true);
  return out;
}
