import type { Rng } from '@wslbench/core';
import { drawStainStyle, fractalNoise, renderRgb, StainCanvas, valueNoise } from './canvas.js';

/** One synthetic colon-tissue image: RGB pixels and the gland mask (1 = gland incl. lumen). */
export interface TissueImage {
  rgb: Uint8Array;
  mask: Uint8Array;
}

interface Gland {
  cx: number;
  cy: number;
  R: number;
  aspect: number;
  angle: number;
  /** Fourier perturbation of the outline: [amplitude, frequency, phase]. */
  wobble: [number, number, number][];
  /** Epithelium thickness as a fraction of the radius. */
  thick: number;
}

const TAU = Math.PI * 2;

/** Outline radius of a gland in direction theta (relative to its own axes). */
function outline(g: Gland, theta: number): number {
  let f = 1;
  for (const [a, k, p] of g.wobble) f += a * Math.sin(k * theta + p);
  return g.R * Math.max(0.35, f);
}

/**
 * Colon mucosa: fibrous pink stroma with scattered inflammatory cells, and glands (epithelial rings with dark nuclei
 * around a pale lumen). Benign: round, regular, separated glands, basal small nuclei, goblet vacuoles.
 * Malignant: irregular, crowded, fused glands, stratified large atypical nuclei, irregular/cribriform lumens, debris.
 */
export function drawColonTissue(S: number, malignant: boolean, rng: Rng, magnification = 1): TissueImage {
  const u = (magnification * S) / 100; // cell-scale unit: features stay visible after the CPU benchmark's downsizing
  const c = new StainCanvas(S);
  const region = new Uint8Array(S * S); // 0 stroma, 1 epithelium, 2 lumen

  // Stroma: eosin fibres (anisotropic noise) + a little haematoxylin; white cracks that look like lumens.
  const fibreAngle = rng() * Math.PI;
  const fibres = fractalNoise(S, 6 * u, 3, rng, 4, fibreAngle);
  const patches = valueNoise(S, 24 * u, rng);
  const cracks = fractalNoise(S, 10 * u, 2, rng, 3, fibreAngle + 0.3);
  const crackLevel = 0.68 + 0.1 * rng();
  for (let i = 0; i < S * S; i++) {
    c.E[i] = 0.2 + 0.45 * fibres[i]! * (0.6 + 0.8 * patches[i]!);
    c.H[i] = 0.09 + 0.1 * patches[i]!;
    if (cracks[i]! > crackLevel) {
      const w = Math.min(1, (cracks[i]! - crackLevel) * 12);
      c.E[i] = c.E[i]! * (1 - 0.85 * w);
      c.H[i] = c.H[i]! * (1 - 0.85 * w);
    }
  }

  // Glands.
  const glands: Gland[] = [];
  const target = malignant ? 7 + Math.floor(rng() * 6) : 6 + Math.floor(rng() * 4);
  for (let tries = 0; glands.length < target && tries < 600; tries++) {
    const R = (malignant ? 9 + 12 * rng() : 12 + 9 * rng()) * u;
    const g: Gland = {
      cx: -0.1 * S + 1.2 * S * rng(),
      cy: -0.1 * S + 1.2 * S * rng(),
      R,
      aspect: malignant ? 0.5 + 0.5 * rng() : 0.7 + 0.3 * rng(),
      angle: rng() * Math.PI,
      wobble: Array.from({ length: malignant ? 4 : 2 }, (_, k) => [
        (malignant ? 0.08 + 0.14 * rng() : 0.02 + 0.03 * rng()) / (k + 1) ** 0.5,
        2 + k + Math.floor(rng() * 2),
        rng() * TAU,
      ]),
      thick: malignant ? 0.35 + 0.3 * rng() : 0.3 + 0.1 * rng(),
    };
    // Benign glands keep a stroma gap; malignant ones may touch and fuse.
    const gap = malignant ? -0.35 : 0.1;
    const ok = glands.every(
      (o) => Math.hypot(o.cx - g.cx, o.cy - g.cy) > (o.R + g.R) * (1 + gap) + (malignant ? 0 : 2 * u),
    );
    if (ok) glands.push(g);
  }
  // Malignant glands bud: satellite glands fused to a parent.
  if (malignant) {
    for (const g of glands.slice()) {
      if (rng() < 0.6) {
        const a = rng() * TAU;
        glands.push({
          ...g,
          cx: g.cx + Math.cos(a) * g.R * 0.9,
          cy: g.cy + Math.sin(a) * g.R * 0.9,
          R: g.R * (0.4 + 0.3 * rng()),
          angle: rng() * Math.PI,
          wobble: g.wobble.map(([am, k]) => [am, k, rng() * TAU] as [number, number, number]),
        });
      }
    }
  }

  // Lumens of malignant glands may be cribriform (several small lumens) or absent (solid).
  const cribriform = new Map<Gland, { x: number; y: number; r: number }[]>();
  for (const g of glands) {
    if (malignant && rng() < 0.35) {
      const holes = Array.from({ length: 2 + Math.floor(rng() * 4) }, () => {
        const a = rng() * TAU;
        const d = rng() * g.R * 0.45;
        return { x: g.cx + Math.cos(a) * d, y: g.cy + Math.sin(a) * d, r: (0.12 + 0.12 * rng()) * g.R };
      });
      cribriform.set(g, holes);
    }
  }

  const epiTex = valueNoise(S, 3 * u, rng);
  for (const g of glands) {
    const ca = Math.cos(g.angle);
    const sa = Math.sin(g.angle);
    const holes = cribriform.get(g);
    const reach = g.R * 1.6;
    for (let y = Math.max(0, Math.floor(g.cy - reach)); y < Math.min(S, Math.ceil(g.cy + reach)); y++) {
      for (let x = Math.max(0, Math.floor(g.cx - reach)); x < Math.min(S, Math.ceil(g.cx + reach)); x++) {
        const dx = x + 0.5 - g.cx;
        const dy = y + 0.5 - g.cy;
        const lx = dx * ca + dy * sa;
        const ly = (-dx * sa + dy * ca) / g.aspect;
        const r = Math.hypot(lx, ly);
        const th = Math.atan2(ly, lx);
        const R = outline(g, th);
        if (r >= R) continue;
        const i = y * S + x;
        let lumen: boolean;
        if (holes) lumen = holes.some((h) => Math.hypot(x + 0.5 - h.x, y + 0.5 - h.y) < h.r);
        else lumen = r < R * (1 - g.thick);
        if (lumen) region[i] = 2;
        else if (region[i] !== 2) region[i] = 1;
      }
    }
  }

  // Paint gland regions: bluish-pink cytoplasm, pale lumen with occasional secretion.
  const secretion = valueNoise(S, 5 * u, rng);
  for (let i = 0; i < S * S; i++) {
    if (region[i] === 1) {
      c.E[i] = 0.36 + 0.14 * epiTex[i]!;
      c.H[i] = (malignant ? 0.2 : 0.13) + 0.08 * epiTex[i]!;
    } else if (region[i] === 2) {
      const s = secretion[i]! > 0.75 ? 0.25 : 0.04;
      c.E[i] = s + 0.05 * secretion[i]!;
      c.H[i] = 0.02;
    }
  }

  // Epithelial nuclei and goblet vacuoles.
  for (const g of glands) {
    const ca = Math.cos(g.angle);
    const sa = Math.sin(g.angle);
    const toImage = (lx: number, ly: number) => [
      g.cx + lx * ca - ly * g.aspect * sa,
      g.cy + lx * sa + ly * g.aspect * ca,
    ];
    const perimeter = TAU * g.R * (0.5 + 0.5 * g.aspect);
    const count = Math.floor(perimeter / ((malignant ? 3.2 : 3.4) * u));
    const layers = malignant ? 1 + Math.floor(rng() * 2) : 1;
    for (let layer = 0; layer < layers; layer++) {
      for (let k = 0; k < count; k++) {
        const th = ((k + (malignant ? rng() : 0.5 * layer)) / count) * TAU;
        const R = outline(g, th);
        const depth = malignant ? 0.1 + rng() * g.thick * 0.9 : 0.1 + 0.05 * rng();
        const rr = R * (1 - depth);
        const [x, y] = toImage(Math.cos(th) * rr, Math.sin(th) * rr);
        const px = Math.floor(x!);
        const py = Math.floor(y!);
        if (px < 0 || py < 0 || px >= S || py >= S || region[py * S + px] !== 1) continue;
        const radial = Math.atan2(y! - g.cy, x! - g.cx);
        if (malignant) {
          const s = (1.2 + 1.0 * rng()) * u;
          c.ellipse(x!, y!, s * (1 + 0.6 * rng()), s, rng() * Math.PI, 0.95 + 0.45 * rng(), 0.15);
          if (rng() < 0.5) c.ellipse(x!, y!, 0.5 * u, 0.5 * u, 0, 1.6, 0.2);
        } else {
          c.ellipse(x!, y!, 1.6 * u, 0.8 * u, radial, 1.0 + 0.2 * rng(), 0.12);
          if (rng() < 0.45) {
            const gr = R * (1 - g.thick * (0.55 + 0.2 * rng()));
            const [gx, gy] = toImage(Math.cos(th + 0.5 / count) * gr, Math.sin(th + 0.5 / count) * gr);
            c.ellipse(gx!, gy!, 1.7 * u, 1.4 * u, radial, 0.08, 0.05);
          }
        }
      }
    }
    // Dirty necrosis in malignant lumens: nuclear debris.
    if (malignant && rng() < 0.5) {
      for (let k = 0; k < 8; k++) {
        const a = rng() * TAU;
        const d = rng() * g.R * (1 - g.thick) * 0.8;
        const [x, y] = toImage(Math.cos(a) * d, Math.sin(a) * d);
        c.ellipse(x!, y!, 0.7 * u, 0.6 * u, 0, 1.3, 0.3);
      }
    }
  }

  // Stromal cells: elongated fibroblasts along the fibres and round lymphocytes/plasma cells, density per image.
  const inflam = 0.4 + 1.4 * rng();
  const nStroma = Math.floor(((S * S) / (55 * u * u)) * inflam);
  for (let k = 0; k < nStroma; k++) {
    const x = rng() * S;
    const y = rng() * S;
    const i = Math.floor(y) * S + Math.floor(x);
    if (region[i] !== 0) continue;
    if (rng() < 0.35) c.ellipse(x, y, 2.2 * u, 0.6 * u, fibreAngle + (rng() - 0.5) * 0.6, 1.0, 0.3);
    else c.ellipse(x, y, (0.9 + 0.4 * rng()) * u, (0.9 + 0.3 * rng()) * u, rng() * Math.PI, 1.2 + 0.4 * rng(), 0.15);
  }

  const style = drawStainStyle(rng, u);
  const rgb = renderRgb(c, style, rng);
  const mask = new Uint8Array(S * S);
  for (let i = 0; i < S * S; i++) mask[i] = region[i] !== 0 ? 1 : 0;
  return { rgb, mask };
}
