import { evaluatePxap, PxapAccumulator, pxap } from './pxap.js';
import { binEdges, camThresholds } from './thresholds.js';

/** One image given as foreground and background score lists (layout is irrelevant to PxAP). */
function image(fg: number[], bg: number[], ignored: number[] = []): [number[], number[]] {
  return [
    [...fg, ...bg, ...ignored],
    [...fg.map(() => 1), ...bg.map(() => 0), ...ignored.map(() => 255)],
  ];
}

function pxapOf(...images: [number[], number[]][]): number {
  return pxap(
    images.map((i) => i[0]),
    images.map((i) => i[1]),
  );
}

describe('thresholds and edges', () => {
  it('reproduces np.arange(0, 1, 0.001) as k*0.001 plus 1, 2, 3', () => {
    const t = camThresholds(0.001);
    expect(t.length).toBe(1000);
    expect(t[999]).toBe(0.999);
    expect(t[9]).toBe(0.009000000000000001); // not 9/1000
    expect(t[500]).toBe(0.5);
    let differ = 0;
    for (let k = 0; k < 1000; k++) if (t[k] !== k / 1000) differ++;
    expect(differ).toBe(144);
    const e = binEdges(0.001);
    expect(e.length).toBe(1003);
    expect(Array.from(e.slice(1000))).toEqual([1, 2, 3]);
  });

  it('sizes other steps like numpy arange (ceil(1/step))', () => {
    expect(camThresholds(0.01).length).toBe(100);
    expect(camThresholds(0.003).length).toBe(334);
    expect(camThresholds(0.3)[3]).toBe(0.8999999999999999);
    expect(() => camThresholds(0)).toThrow(/step/);
    expect(() => new PxapAccumulator({ step: Number.NaN })).toThrow(/step/);
  });
});

describe('PxAP closed forms', () => {
  it('constant map = foreground fraction, whatever the constant', () => {
    // 3 fg + 7 bg pixels over two images -> 100 * 3 / 10.
    for (const c of [0, 0.0005, 0.3, 0.5, 0.999, 1]) {
      expect(pxapOf(image([c, c], [c, c, c]), image([c], [c, c, c, c]))).toBeCloseTo(30, 12);
    }
  });

  it('perfect map = 100, also when ignore pixels score 0 or 1', () => {
    expect(pxapOf(image([1, 1, 1], [0, 0, 0, 0, 0]))).toBe(100);
    expect(pxapOf(image([1, 1], [0, 0], [1, 1, 0]), image([1], [0, 0, 0], [0]))).toBe(100);
  });

  it('all-one ground truth = 100 for any map', () => {
    expect(pxapOf(image([0.2, 0.9, 0, 1], []))).toBe(100);
  });

  it('inverted map (1 - GT) = foreground fraction', () => {
    // fg scores 0, bg scores 1: at tau=1 only fp; recall jumps only at tau=0 where P = 2/5.
    expect(pxapOf(image([0, 0], [1, 1, 1]))).toBeCloseTo(40, 12);
  });

  it('throws when the set has no foreground pixel', () => {
    expect(() => pxapOf(image([], [0.1, 0.9]), image([], [0.5], [1]))).toThrow(
      'No positive ground truth in the eval set.',
    );
    expect(() => new PxapAccumulator().compute()).toThrow('No positive ground truth in the eval set.');
  });
});

describe('scores exactly on thresholds (score >= tau is positive)', () => {
  it('1.0 is its own top operating point and 0.999 the next', () => {
    // fg {1.0, 0.5}, bg {0.999, 0.5}.
    // tau=1: tp1 fp0 -> P=1, R=.5 -> 0.5;  tau=.999: tp1 fp1, dR=0;  tau=.5: tp2 fp2 -> P=.5, dR=.5 -> .25.
    expect(pxapOf(image([1.0, 0.5], [0.999, 0.5]))).toBeCloseTo(75, 12);
  });

  it('0.5 and 0.001 sit in the bin above their edge', () => {
    // fg {0.5}, bg {0.4999999999999999 (just below 0.5)}: tau=0.5 has tp1 fp0 -> 100.
    expect(pxapOf(image([0.5], [0.49999999999999994]))).toBe(100);
    // swapped: tau=.5 -> tp0 fp1 (P=0, dR=0); tau=.499 -> tp1 fp1, P=.5, dR=1 -> 50.
    expect(pxapOf(image([0.49999999999999994], [0.5]))).toBeCloseTo(50, 12);
    // 0.001 vs 0.0009999999999999998: the fg pixel is alone at tau=0.001.
    expect(pxapOf(image([0.001], [0.0009999999999999998]))).toBe(100);
    expect(pxapOf(image([0.0009999999999999998], [0.001]))).toBeCloseTo(50, 12);
  });

  it('compares against float64 k*0.001 edges, not decimal k/1000', () => {
    // 9*0.001 = 0.009000000000000001 > 0.009: the fg pixel is on edge 9, the bg one in bin 8 -> separable -> 100.
    expect(pxapOf(image([9 * 0.001], [0.009]))).toBe(100);
    // 0.999 and 0.9990000000000001 share the bin [0.999, 1): tied -> P = .5 at full recall.
    expect(pxapOf(image([0.9990000000000001], [0.999]))).toBeCloseTo(50, 12);
  });

  it('bins pixels exactly like np.histogram for edge values', () => {
    const acc = new PxapAccumulator();
    acc.accumulate([0, 0.001, 0.5, 0.999, 1.0, 0.9999999999999999, 0.009], [1, 1, 1, 1, 1, 1, 0]);
    const nonEmpty = (h: Float64Array) => Array.from(h.entries()).filter(([, v]) => v > 0);
    expect(nonEmpty(acc.fgHist)).toEqual([
      [0, 1],
      [1, 1],
      [500, 1],
      [999, 2],
      [1000, 1],
    ]);
    expect(nonEmpty(acc.bgHist)).toEqual([[8, 1]]);
  });
});

describe('pooling, ignore and merging', () => {
  it('pools pixels over images (not a mean of per-image APs), all-background images included', () => {
    const a = image([1, 1], [0, 0]); // perfect alone (100)
    const b = image([], [1, 1, 1, 1]); // all-background image scoring 1
    // pooled at tau=1: tp2 fp4 -> P = 1/3, R = 1.
    expect(pxapOf(a, b)).toBeCloseTo(100 / 3, 12);
    // the all-background image scoring 0.7 stays below tau=1: still 100.
    expect(pxapOf(a, image([], [0.7, 0.7]))).toBe(100);
    // per-image mean would differ: image 1 alone = 100, image 2 = 50.
    const c = image([0.6], [0.6]);
    expect(pxapOf(a, c)).toBeCloseTo(100 * ((2 / 2) * (2 / 3) + (3 / 4) * (1 / 3)), 12);
  });

  it('ignore pixels count in neither histogram', () => {
    const acc = new PxapAccumulator();
    acc.accumulate([0.2, 0.7, 0.9, 1], [255, 1, 0, 255]);
    expect(acc.fgHist.reduce((s, v) => s + v, 0)).toBe(1);
    expect(acc.bgHist.reduce((s, v) => s + v, 0)).toBe(1);
    // fg .7 below bg .9: P=.5 at full recall.
    expect(acc.compute().pxap).toBeCloseTo(50, 12);
  });

  it('merging two accumulators equals one accumulator over both sets', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const imgs = Array.from({ length: 6 }, () => {
      const map = Array.from({ length: 64 }, () => Math.round(rand() * 1000) / 1000);
      const mask = map.map((v) => (rand() < 0.1 ? 255 : rand() < v ? 1 : 0));
      return [map, mask] as const;
    });
    const all = new PxapAccumulator();
    const a = new PxapAccumulator();
    const b = new PxapAccumulator();
    imgs.forEach(([m, k], i) => {
      all.accumulate(m, k);
      (i < 2 ? a : b).accumulate(m, k);
    });
    a.merge(b);
    expect(Array.from(a.fgHist)).toEqual(Array.from(all.fgHist));
    expect(Array.from(a.bgHist)).toEqual(Array.from(all.bgHist));
    expect(a.numImages).toBe(6);
    expect(a.compute().pxap).toBe(all.compute().pxap);
    expect(() => a.merge(new PxapAccumulator({ step: 0.01 }))).toThrow(/steps 0.001 and 0.01/);
  });
});

describe('curve', () => {
  it('returns descending thresholds aligned with precision and recall', () => {
    const r = evaluatePxap(...(([m, k]) => [[m], [k]] as [number[][], number[][]])(image([1.0, 0.5], [0.999, 0.5])));
    expect(r.thresholds.length).toBe(1002);
    expect(r.thresholds[0]).toBe(2);
    expect(r.thresholds[1]).toBe(1);
    expect(r.thresholds[2]).toBe(0.999);
    expect(r.thresholds[501]).toBe(0.5);
    expect(r.thresholds[1001]).toBe(0);
    expect(r.precision[0]).toBeNaN(); // 0/0 at tau = 2
    expect([r.precision[1], r.recall[1]]).toEqual([1, 0.5]);
    expect([r.precision[2], r.recall[2]]).toEqual([0.5, 0.5]);
    expect([r.precision[501], r.recall[501]]).toEqual([0.5, 1]);
    expect([r.numPositive, r.numNegative]).toEqual([2, 2]);
  });
});

describe('input validation', () => {
  it('rejects NaN and out-of-range scores naming value and index, even on ignore pixels', () => {
    const acc = new PxapAccumulator();
    expect(() => acc.accumulate([0.1, Number.NaN], [0, 1])).toThrow('score NaN at index 1');
    expect(() => acc.accumulate([0.1, 0.2, 1.0000000000000002], [0, 1, 255])).toThrow(
      'score 1.0000000000000002 at index 2 is outside [0, 1]',
    );
    expect(() => acc.accumulate([-1e-9], [0])).toThrow('score -1e-9 at index 0');
    expect(() => acc.accumulate([0.5], [2])).toThrow('mask value 2 at index 0');
    expect(() => acc.accumulate([0.5, 0.5], [1])).toThrow(/2 values but its mask has 1/);
    expect(() => pxap([[Number.POSITIVE_INFINITY]], [[1]])).toThrow(/map 0: score Infinity at index 0/);
    // nothing was added by the failed calls
    expect(acc.numImages).toBe(0);
    expect(acc.fgHist.reduce((s, v) => s + v, 0) + acc.bgHist.reduce((s, v) => s + v, 0)).toBe(0);
  });

  it('accepts typed arrays', () => {
    expect(pxap([new Float32Array([1, 0.5, 0.25])], [new Uint8Array([1, 0, 1])])).toBeCloseTo(
      100 * (1 * 0.5 + (2 / 3) * 0.5),
      12,
    );
  });
});
