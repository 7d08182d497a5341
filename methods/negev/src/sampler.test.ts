import { rngStream } from '@wslbench/core';
import { IGNORE, sampleSeeds, sampleWithoutReplacement, seedLabelMap, topN } from './sampler.js';

/** Upper 0.1% point of chi-square with df degrees of freedom (Wilson-Hilferty). */
function chi2Critical(df: number, z = 3.09): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

function chi2(observed: number[], expected: number[]): number {
  return observed.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);
}

// A known 4x4 CAM: 0, 1/15, ..., 1.
const CAM = Float32Array.from({ length: 16 }, (_, i) => i / 15);
const TRIALS = 20000;
const base = { n: 1, selection: 'random', background: 'one-minus-cam', evidence: 'both' } as const;

describe('NEGEV pixel sampler', () => {
  it('draws foreground pixels ∝ C and background pixels ∝ 1 − C (chi-square, 15 df)', () => {
    const rng = rngStream(1, 'chi2');
    const fgCounts = new Array(16).fill(0);
    const bgCounts = new Array(16).fill(0);
    for (let t = 0; t < TRIALS; t++) {
      const { fg, bg } = sampleSeeds(CAM, base, rng);
      fgCounts[fg[0]!]++;
      bgCounts[bg[0]!]++;
    }
    const eps = 1e-6;
    const sumFg = CAM.reduce((s, c) => s + c + eps, 0);
    const sumBg = CAM.reduce((s, c) => s + 1 - c + eps, 0);
    // Pixel 0 (C = 0) has foreground mass ~1e-6: pool it with pixel 1 so every expected count is large.
    const pool = (counts: number[]) => [counts[0]! + counts[1]!, ...counts.slice(2)];
    const expFg = pool(Array.from(CAM, (c) => (TRIALS * (c + eps)) / sumFg));
    const expBg = Array.from(CAM, (c) => (TRIALS * (1 - c + eps)) / sumBg);
    expBg.splice(14, 2, expBg[14]! + expBg[15]!);
    const obsBg = bgCounts.slice(0, 14).concat([bgCounts[14]! + bgCounts[15]!]);
    expect(chi2(pool(fgCounts), expFg)).toBeLessThan(chi2Critical(14));
    expect(chi2(obsBg, expBg)).toBeLessThan(chi2Critical(14));
    // The test has power: the foreground counts are far from uniform and from the background distribution.
    expect(chi2(fgCounts, new Array(16).fill(TRIALS / 16))).toBeGreaterThan(100 * chi2Critical(15));
    expect(fgCounts[15]).toBeGreaterThan(bgCounts[15] * 50);
    expect(bgCounts[0]).toBeGreaterThan(fgCounts[0] * 50);
  });

  it.each(['sequential', 'keys'] as const)(
    '%s: ordered pairs without replacement follow successive sampling (chi-square)',
    (algorithm) => {
      const w = [1, 2, 3, 4];
      const total = 10;
      const p = w.map((x) => x / total);
      const rng = rngStream(2, algorithm);
      const counts = new Map<string, number>();
      let repeats = 0;
      for (let t = 0; t < TRIALS; t++) {
        const s = sampleWithoutReplacement(w, 2, rng, algorithm);
        if (s[0] === s[1]) repeats++;
        const k = `${s[0]},${s[1]}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      const obs: number[] = [];
      const exp: number[] = [];
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) {
          if (i === j) continue;
          obs.push(counts.get(`${i},${j}`) ?? 0);
          exp.push((TRIALS * p[i]! * p[j]!) / (1 - p[i]!));
        }
      expect(repeats).toBe(0);
      expect(chi2(obs, exp)).toBeLessThan(chi2Critical(11));
    },
  );

  it('never repeats a pixel, skips zero weights, and refuses more draws than positive weights', () => {
    const rng = rngStream(3, 'repeats');
    const w = Float32Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 0 : (i % 7) + 0.5));
    for (const n of [5, 40, 90]) {
      for (let t = 0; t < 20; t++) {
        const s = sampleWithoutReplacement(w, n, rng);
        expect(new Set(s).size).toBe(n);
        for (const i of s) expect(i % 10).not.toBe(0);
      }
    }
    // One dominant weight: the sequential draws give up on repeats and the keys method finishes the job.
    const peaked = Float64Array.from({ length: 50 }, (_, i) => (i === 7 ? 1e9 : 1));
    const s = sampleWithoutReplacement(peaked, 3, rng);
    expect(new Set(s).size).toBe(3);
    expect([...s]).toContain(7);
    expect(() => sampleWithoutReplacement(w, 91, rng)).toThrow(/cannot draw 91 distinct indices from 90/);
    expect(() => sampleWithoutReplacement([1, Number.NaN], 1, rng)).toThrow(/weight 1 is NaN/);
  });

  it('is reproducible from the seed and fresh at every call', () => {
    const cam = Float32Array.from({ length: 64 * 64 }, (_, i) => Math.abs(Math.sin(i * 0.013)));
    const run = (seed: number) => {
      const rng = rngStream(seed, 'negev-seeds');
      return Array.from({ length: 5 }, () => sampleSeeds(cam, { ...base, n: 3 }, rng));
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    // Successive steps draw different pixels (random selection).
    expect(new Set(a.map((d) => [...d.fg].join(','))).size).toBeGreaterThan(1);
  });

  it('static selection: top-n foreground and bottom-n background, deterministic, ties to the lowest index', () => {
    const cam = Float32Array.from([0.2, 0.9, 0.1, 0.9, 0.5, 0.0, 0.7, 0.0, 0.3]);
    const rng = rngStream(0, 'static');
    const state = JSON.stringify(rng.state());
    const a = sampleSeeds(cam, { ...base, n: 2, selection: 'static' }, rng);
    expect([...a.fg]).toEqual([1, 3]);
    expect([...a.bg]).toEqual([5, 7]);
    expect(sampleSeeds(cam, { ...base, n: 2, selection: 'static' }, rng)).toEqual(a);
    expect(JSON.stringify(rng.state())).toBe(state); // static selection draws nothing
    // Large n goes through the sort path and must agree with a plain sort.
    const big = Float32Array.from({ length: 500 }, (_, i) => Math.round(Math.abs(Math.sin(i)) * 50) / 50);
    const want = Array.from(big.keys())
      .sort((x, y) => big[y]! - big[x]! || x - y)
      .slice(0, 100);
    expect([...topN(big, 100, 'desc')]).toEqual(want);
    expect([...topN(big, 7, 'desc')]).toEqual(want.slice(0, 7));
  });

  it('reference background (1 − C/ΣC) is close to uniform, unlike the paper form', () => {
    const cam = Float32Array.from({ length: 16 * 16 }, (_, i) => (i < 128 ? 1 : 0));
    const rng = rngStream(4, 'ref-bg');
    let inHot = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const { bg } = sampleSeeds(cam, { ...base, background: 'reference', evidence: 'negative' }, rng);
      if (bg[0]! < 128) inHot++;
    }
    // Exact: the hot half has mass 128 (1 − 1/128.0...) / (256 − 1) ≈ 0.498.
    expect(inHot / trials).toBeGreaterThan(0.44);
    expect(inHot / trials).toBeLessThan(0.56);
    const paper = sampleSeeds(cam, { ...base, n: 20, evidence: 'negative' }, rng);
    for (const i of paper.bg) expect(i).toBeGreaterThanOrEqual(128);
  });

  it('evidence switches sample only the requested region', () => {
    const rng = rngStream(5, 'evidence');
    const pos = sampleSeeds(CAM, { ...base, evidence: 'positive' }, rng);
    expect([pos.fg.length, pos.bg.length]).toEqual([1, 0]);
    const neg = sampleSeeds(CAM, { ...base, evidence: 'negative' }, rng);
    expect([neg.fg.length, neg.bg.length]).toEqual([0, 1]);
    // n larger than the map is clamped to all pixels.
    expect(sampleSeeds(CAM, { ...base, n: 100, evidence: 'positive' }, rng).fg.length).toBe(16);
  });

  it('label map: seeds, ksz x ksz dilation clipped at the borders, conflicts ignored', () => {
    const y = seedLabelMap(Int32Array.from([0]), Int32Array.from([8]), 3, 3, 1);
    expect([...y]).toEqual([1, IGNORE, IGNORE, IGNORE, IGNORE, IGNORE, IGNORE, IGNORE, 0]);
    // 4x4, fg at (0,0), bg at (1,2), ksz 3: fg covers rows 0-1 x cols 0-1, bg rows 0-2 x cols 1-3; overlap (0,1),(1,1).
    const d = seedLabelMap(Int32Array.from([0]), Int32Array.from([6]), 4, 4, 3);
    const I = IGNORE;
    expect([...d]).toEqual([1, I, 0, 0, 1, I, 0, 0, I, 0, 0, 0, I, I, I, I]);
    expect(() => seedLabelMap(Int32Array.from([0]), new Int32Array(0), 2, 2, 2)).toThrow(/odd/);
  });
});
