import type { Rng } from '@wslbench/core';
import { drawStainStyle, fractalNoise, renderRgb, StainCanvas } from './canvas.js';
import type { TissueImage } from './glas-tissue.js';

/** Threshold giving `coverage` of the field above it (exact quantile). */
function quantileThreshold(f: Float32Array, coverage: number): number {
  const s = Float32Array.from(f).sort();
  const k = Math.min(s.length - 1, Math.max(0, Math.floor((1 - coverage) * s.length)));
  return s[k]!;
}

/**
 * Lymph-node patch: a sea of small dense dark lymphocytes, with paler sinuses holding sparse large histiocytes and
 * pale germinal centres with larger nuclei (confounders that share the tumour's colour). Metastatic patches hold
 * regions (20-100% of the patch) of large polygonal tumour cells with pink cytoplasm and big vesicular nuclei with
 * nucleoli. Mask = tumour region; normal patches have none.
 */
export function drawLymphNode(S: number, tumour: boolean, rng: Rng, magnification = 1): TissueImage {
  const u = (magnification * S) / 100; // cell-scale unit: features stay visible after the CPU benchmark's downsizing
  const c = new StainCanvas(S);
  const mask = new Uint8Array(S * S);

  if (tumour) {
    const coverage = 0.2 + 0.8 * rng() ** 0.8;
    const f = fractalNoise(S, (20 + 30 * rng()) * u, 3, rng);
    const t = coverage >= 0.999 ? -1 : quantileThreshold(f, coverage);
    for (let i = 0; i < S * S; i++) mask[i] = f[i]! > t ? 1 : 0;
  }
  // Sinus / germinal-centre field (normal structures that look paler, like tumour).
  const paleField = fractalNoise(S, 26 * u, 2, rng);
  const paleLevel = 0.62 + 0.2 * rng();
  const isPale = (i: number) => paleField[i]! > paleLevel;
  const germinal = rng() < 0.5;

  // Background: thin pink reticulin/cytoplasm between cells.
  const bg = fractalNoise(S, 4 * u, 2, rng);
  for (let i = 0; i < S * S; i++) {
    if (mask[i]) {
      c.E[i] = 0.4 + 0.15 * bg[i]!;
      c.H[i] = 0.08 + 0.05 * bg[i]!;
    } else if (isPale(i)) {
      c.E[i] = germinal ? 0.22 + 0.12 * bg[i]! : 0.1 + 0.12 * bg[i]!;
      c.H[i] = germinal ? 0.16 : 0.05;
    } else {
      c.E[i] = 0.18 + 0.12 * bg[i]!;
      c.H[i] = 0.12 + 0.06 * bg[i]!;
    }
  }

  // Cells on a jittered grid: spacing depends on the compartment at the grid point.
  const lymphSpacing = (2.4 + 0.5 * rng()) * u;
  for (let gy = 0; gy < S; gy += lymphSpacing) {
    for (let gx = 0; gx < S; gx += lymphSpacing) {
      const x = gx + (rng() - 0.5) * lymphSpacing;
      const y = gy + (rng() - 0.5) * lymphSpacing;
      const i = Math.min(S - 1, Math.max(0, Math.floor(y))) * S + Math.min(S - 1, Math.max(0, Math.floor(x)));
      if (mask[i]) {
        if (rng() < 0.06) lymphocyte(c, x, y, u, rng); // infiltrating lymphocytes
        continue;
      }
      if (isPale(i)) {
        if (germinal && rng() < 0.35) {
          const r = (1.6 + 0.6 * rng()) * u; // centroblasts: larger, paler
          c.ellipse(x, y, r, r * (0.8 + 0.2 * rng()), rng() * Math.PI, 0.85, 0.15);
        } else if (!germinal && rng() < 0.1) {
          const r = (1.8 + 0.6 * rng()) * u; // sinus histiocytes: big pale nuclei
          c.ellipse(x, y, r * 1.3, r, rng() * Math.PI, 0.6, 0.2);
        } else if (rng() < 0.3) lymphocyte(c, x, y, u, rng);
        continue;
      }
      if (rng() < 0.92) lymphocyte(c, x, y, u, rng);
    }
  }

  if (tumour) {
    const sp = (5.6 + 1.6 * rng()) * u;
    const nucScale = 0.8 + 0.4 * rng();
    for (let gy = 0; gy < S + sp; gy += sp * 0.87) {
      const shift = (Math.round(gy / (sp * 0.87)) % 2) * sp * 0.5;
      for (let gx = shift; gx < S + sp; gx += sp) {
        const x = gx + (rng() - 0.5) * sp * 0.5;
        const y = gy + (rng() - 0.5) * sp * 0.5;
        const xi = Math.floor(x);
        const yi = Math.floor(y);
        if (xi < 0 || yi < 0 || xi >= S || yi >= S || !mask[yi * S + xi]) continue;
        const r = (1.8 + 1.1 * rng()) * u * nucScale;
        const ang = rng() * Math.PI;
        const ecc = 0.75 + 0.25 * rng();
        c.ellipse(x, y, r, r * ecc, ang, 1.05 + 0.3 * rng(), 0.12); // chromatin rim
        c.ellipse(x, y, r * 0.72, r * 0.72 * ecc, ang, 0.45 + 0.2 * rng(), 0.1); // vesicular centre
        c.ellipse(x + (rng() - 0.5) * r * 0.5, y + (rng() - 0.5) * r * 0.5, 0.55 * u, 0.55 * u, 0, 1.6, 0.4); // nucleolus
      }
    }
  }

  const style = drawStainStyle(rng, u);
  return { rgb: renderRgb(c, style, rng), mask };
}

function lymphocyte(c: StainCanvas, x: number, y: number, u: number, rng: Rng): void {
  const r = (0.95 + 0.35 * rng()) * u;
  c.ellipse(x, y, r, r * (0.85 + 0.15 * rng()), rng() * Math.PI, 1.25 + 0.35 * rng(), 0.1);
}
