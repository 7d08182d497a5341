import { Resvg } from '@resvg/resvg-js';
import sharp, { type OverlayOptions } from 'sharp';
import { overlayMap, overlayMask } from './colormap.js';

export interface GalleryRowInput {
  /** RGB, HWC, 8-bit. */
  image: Uint8Array;
  width: number;
  height: number;
  /** Ground truth h*w, nonzero = foreground. */
  mask: Uint8Array;
  /** Maps h*w in [0,1], drawn left to right after the image and the ground truth; null = not available. */
  maps: { label: string; map: Float32Array | null }[];
  /** Caption strip above the tiles (default true). */
  captions?: boolean;
  /** Tile side in pixels (images are resized to it; default: max(image side, 160)). */
  tile?: number;
  /** Overlay opacity of the maps (default 0.5). */
  alpha?: number;
}

const CAPTION_H = 22;
const GAP = 4;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function captionPng(labels: string[], tile: number): Buffer {
  const w = labels.length * tile + (labels.length - 1) * GAP;
  const texts = labels
    .map(
      (l, i) =>
        `<text x="${i * (tile + GAP) + tile / 2}" y="16" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="13">${esc(l)}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${CAPTION_H}"><rect width="100%" height="100%" fill="white"/>${texts}</svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}

async function tilePng(rgb: Uint8Array, width: number, height: number, tile: number): Promise<Buffer> {
  return sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } })
    .resize(tile, tile, { fit: 'fill', kernel: width < tile ? 'nearest' : 'lanczos3' })
    .png()
    .toBuffer();
}

async function placeholderPng(tile: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${tile}" height="${tile}"><rect width="100%" height="100%" fill="#ddd"/><text x="${tile / 2}" y="${tile / 2}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="13" fill="#666">no map</text></svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}

/**
 * One gallery row as a PNG: image | ground truth (red tint) | each map as a jet overlay, with captions.
 * Maps must have the image's size and values in [0,1].
 */
export async function renderGalleryRow(input: GalleryRowInput): Promise<Buffer> {
  const { image, width, height, mask } = input;
  const n = width * height;
  if (image.length !== 3 * n) throw new Error(`renderGalleryRow: image length ${image.length} != ${width}x${height}x3`);
  if (mask.length !== n) throw new Error(`renderGalleryRow: mask length ${mask.length} != ${width}x${height}`);
  input.maps.forEach((m) => {
    if (m.map && m.map.length !== n)
      throw new Error(`renderGalleryRow: map '${m.label}' length ${m.map.length} != ${width}x${height}`);
  });
  const tile = input.tile ?? Math.max(width, height, 160);
  const alpha = input.alpha ?? 0.5;
  const labels = ['Image', 'Ground truth', ...input.maps.map((m) => m.label)];
  const tiles = [
    await tilePng(image, width, height, tile),
    await tilePng(overlayMask(image, mask), width, height, tile),
    ...(await Promise.all(
      input.maps.map((m) =>
        m.map ? tilePng(overlayMap(image, m.map, alpha), width, height, tile) : placeholderPng(tile),
      ),
    )),
  ];
  const top = input.captions === false ? 0 : CAPTION_H;
  const totalW = labels.length * tile + (labels.length - 1) * GAP;
  const composites: OverlayOptions[] = tiles.map((t, i) => ({ input: t, left: i * (tile + GAP), top }));
  if (top) composites.push({ input: captionPng(labels, tile), left: 0, top: 0 });
  return sharp({ create: { width: totalW, height: tile + top, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(composites)
    .png()
    .toBuffer();
}
