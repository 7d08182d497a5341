/** Colour maps and alpha blending of maps over images (all RGB HWC, 8-bit). */

const clip01 = (x: number) => Math.min(1, Math.max(0, x));

/** matplotlib's 'jet' as the piecewise-linear formula: 0 -> dark blue, 0.5 -> green/yellow, 1 -> dark red. */
export function jet(v: number): [number, number, number] {
  const x = clip01(v);
  return [
    Math.round(255 * clip01(1.5 - Math.abs(4 * x - 3))),
    Math.round(255 * clip01(1.5 - Math.abs(4 * x - 2))),
    Math.round(255 * clip01(1.5 - Math.abs(4 * x - 1))),
  ];
}

/** 256-entry jet lookup table, RGB interleaved. */
export const JET_LUT: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(jet(i / 255), 3 * i);
  return lut;
})();

/** out = (1 - alpha) * image + alpha * jet(map), per pixel. */
export function overlayMap(image: Uint8Array, map: Float32Array, alpha = 0.5): Uint8Array {
  if (image.length !== 3 * map.length)
    throw new Error(`overlayMap: image length ${image.length} != 3 x map length ${map.length}`);
  const out = new Uint8Array(image.length);
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (!(v >= 0 && v <= 1)) throw new Error(`overlayMap: map value ${v} at index ${i} is not in [0, 1]`);
    const k = 3 * Math.round(v * 255);
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round((1 - alpha) * image[3 * i + c]! + alpha * JET_LUT[k + c]!);
  }
  return out;
}

/** The ground truth as in the paper's figures: the image with the foreground tinted red. */
export function overlayMask(
  image: Uint8Array,
  mask: Uint8Array,
  alpha = 0.5,
  colour: [number, number, number] = [255, 0, 0],
): Uint8Array {
  if (image.length !== 3 * mask.length)
    throw new Error(`overlayMask: image length ${image.length} != 3 x mask length ${mask.length}`);
  const out = Uint8Array.from(image);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round((1 - alpha) * image[3 * i + c]! + alpha * colour[c]!);
  }
  return out;
}
