import { gaussian, type Rng } from '@wslbench/core';

/**
 * A stain-concentration canvas: haematoxylin (H, nuclei: blue-purple) and eosin (E, cytoplasm/stroma: pink) per pixel.
 * Tissue is painted in concentrations, then converted to RGB with Beer-Lambert optical densities, which gives the
 * H&E palette and realistic mixing for free.
 */
export class StainCanvas {
  readonly H: Float32Array;
  readonly E: Float32Array;
  constructor(readonly size: number) {
    this.H = new Float32Array(size * size);
    this.E = new Float32Array(size * size);
  }

  /** Blend an ellipse (centre, semi-axes a along `angle`, b across) with a soft 1-px edge toward (h, e). */
  ellipse(cx: number, cy: number, a: number, b: number, angle: number, h: number, e: number, opacity = 1): void {
    const S = this.size;
    const r = Math.max(a, b) + 1;
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(S - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(S - 1, Math.ceil(cy + r));
    const ca = Math.cos(angle);
    const sa = Math.sin(angle);
    const m = Math.min(a, b);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        const u = (dx * ca + dy * sa) / a;
        const v = (-dx * sa + dy * ca) / b;
        const d = Math.sqrt(u * u + v * v); // 1 on the boundary
        const alpha = Math.min(1, Math.max(0, (1 - d) * m + 0.5)) * opacity;
        if (alpha <= 0) continue;
        const i = y * S + x;
        this.H[i] = this.H[i]! + (h - this.H[i]!) * alpha;
        this.E[i] = this.E[i]! + (e - this.E[i]!) * alpha;
      }
    }
  }
}

/** Smooth value noise in [0, 1] on an S x S grid with features of about `period` pixels (bicubic-smoothstep lattice). */
export function valueNoise(S: number, period: number, rng: Rng, stretch = 1, angle = 0): Float32Array {
  // The lattice covers the rotated image: S*sqrt(2) wide, squashed by `stretch` along the fibre axis.
  const nx = Math.ceil((S * Math.SQRT2) / period / stretch) + 3;
  const ny = Math.ceil((S * Math.SQRT2) / period) + 3;
  const lattice = new Float32Array(nx * ny);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng();
  const out = new Float32Array(S * S);
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const half = S / 2;
  const sm = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const dx = x - half;
      const dy = y - half;
      // Rotate, then squash one axis: stretch > 1 gives fibres along `angle`.
      const gx = (dx * ca + dy * sa) / period / stretch + nx / 2 - 0.5;
      const gy = (-dx * sa + dy * ca) / period + ny / 2 - 0.5;
      const ix = Math.floor(gx);
      const iy = Math.floor(gy);
      const fx = sm(gx - ix);
      const fy = sm(gy - iy);
      const a = lattice[iy * nx + ix]!;
      const b = lattice[iy * nx + ix + 1]!;
      const c = lattice[(iy + 1) * nx + ix]!;
      const d = lattice[(iy + 1) * nx + ix + 1]!;
      out[y * S + x] = a + (b - a) * fx + (c - a + (d - c - b + a) * fx) * fy;
    }
  }
  return out;
}

/** Sum of octaves, normalised back to about [0, 1]. */
export function fractalNoise(
  S: number,
  period: number,
  octaves: number,
  rng: Rng,
  stretch = 1,
  angle = 0,
): Float32Array {
  const out = new Float32Array(S * S);
  let amp = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const f = valueNoise(S, Math.max(1.5, period / 2 ** o), rng, stretch, angle);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + f[i]! * amp;
    total += amp;
    amp *= 0.5;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / total;
  return out;
}

/** Separable Gaussian blur in place (edges clamped). */
export function blur(a: Float32Array, S: number, sigma: number): void {
  if (sigma < 0.2) return;
  const r = Math.ceil(sigma * 2.5);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
  const tmp = new Float32Array(a.length);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      let v = 0;
      for (let i = -r; i <= r; i++) v += a[y * S + Math.min(S - 1, Math.max(0, x + i))]! * k[i + r]!;
      tmp[y * S + x] = v;
    }
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      let v = 0;
      for (let i = -r; i <= r; i++) v += tmp[Math.min(S - 1, Math.max(0, y + i)) * S + x]! * k[i + r]!;
      a[y * S + x] = v;
    }
}

/** Per-image staining: stain vectors, strengths, blur, sensor noise. Drawn from the image's stream. */
export interface StainStyle {
  hVec: [number, number, number];
  eVec: [number, number, number];
  hScale: number;
  eScale: number;
  blurSigma: number;
  noise: number;
  /** Low-frequency illumination / thickness variation amplitude. */
  unevenness: number;
}

const unit = (v: number[]): [number, number, number] => {
  const n = Math.hypot(v[0]!, v[1]!, v[2]!);
  return [v[0]! / n, v[1]! / n, v[2]! / n];
};

export function drawStainStyle(rng: Rng, unitPx: number): StainStyle {
  const j = (s: number) => gaussian(rng) * s;
  return {
    hVec: unit([0.65 + j(0.06), 0.7 + j(0.05), 0.29 + j(0.06)]),
    eVec: unit([0.07 + Math.abs(j(0.05)), 0.99, 0.11 + j(0.05)]),
    hScale: 0.75 + 0.5 * rng(),
    eScale: 0.7 + 0.6 * rng(),
    blurSigma: (0.4 + 0.7 * rng()) * unitPx,
    noise: 2 + 5 * rng(),
    unevenness: 0.1 + 0.25 * rng(),
  };
}

/** Concentrations -> RGB uint8 (Beer-Lambert: I = 255 exp(-(H hVec + E eVec + background))). */
export function renderRgb(c: StainCanvas, style: StainStyle, rng: Rng): Uint8Array {
  const S = c.size;
  blur(c.H, S, style.blurSigma);
  blur(c.E, S, style.blurSigma);
  const uneven = valueNoise(S, S / 2, rng);
  const out = new Uint8Array(S * S * 3);
  const { hVec, eVec } = style;
  const fast = mulberry32(rng.int32()); // sensor noise: a cheap generator seeded from the image's stream
  const normal = () => {
    const u = fast() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * fast());
  };
  for (let i = 0; i < S * S; i++) {
    const t = 1 + style.unevenness * (uneven[i]! - 0.5) * 2;
    const h = Math.max(0, c.H[i]!) * style.hScale * t;
    const e = Math.max(0, c.E[i]!) * style.eScale * t;
    for (let k = 0; k < 3; k++) {
      const od = h * hVec[k]! + e * eVec[k]! + 0.02;
      const v = 255 * Math.exp(-od) + normal() * style.noise;
      out[i * 3 + k] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return out;
}

/** Small fast 32-bit PRNG (mulberry32) for per-pixel noise. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
