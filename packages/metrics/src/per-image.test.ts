import { checkPerImageHistograms, PerImageHistograms, weightedPxap } from './per-image.js';
import { PxapAccumulator } from './pxap.js';

// Two 2x2 images. Pooled: foreground scores 0.9, 0.8, 0.3; background 0.1, 0.2, 0.72, 0.6 (one pixel ignored).
const A = { map: [0.9, 0.8, 0.1, 0.2], mask: [1, 1, 0, 0] };
const B = { map: [0.3, 0.72, 0.6, 0.05], mask: [1, 0, 0, 255] };

function twoImages(): PerImageHistograms {
  return new PerImageHistograms().add(A.map, A.mask, 'a').add(B.map, B.mask, 'b');
}

describe('PerImageHistograms', () => {
  test('stores each image sparse at step 0.01: [bin, count] pairs of its non-empty bins', () => {
    const h = twoImages().toJSON();
    expect(h.step).toBe(0.01);
    expect(h.ids).toEqual(['a', 'b']);
    expect(h.fg).toEqual([
      [80, 1, 90, 1],
      [30, 1],
    ]);
    expect(h.bg).toEqual([
      [10, 1, 20, 1],
      [60, 1, 72, 1],
    ]);
    expect(checkPerImageHistograms(h, 'rec')).toBe(102);
  });

  test('weighted PxAP recomputes the pooled PR curve of the resample (hand-computed)', () => {
    const h = twoImages().toJSON();
    // Whole set, descending: 0.9 fg (P 1, R 1/3), 0.8 fg (P 1, R 2/3), 0.72 bg, 0.6 bg, 0.3 fg (P 3/5, R 1):
    // AP = 1/3 + 1/3 + 3/5 * 1/3 = 13/15.
    expect(weightedPxap(h, [1, 1])).toBeCloseTo((100 * 13) / 15, 10);
    expect(weightedPxap(h, [2, 0])).toBeCloseTo(100, 10);
    // Image b alone: its one foreground pixel ranks below both background ones: P = 1/3 at R = 1.
    expect(weightedPxap(h, [0, 1])).toBeCloseTo(100 / 3, 10);
    // a once, b twice: 0.9 (P 1, R 1/4), 0.8 (P 1, R 2/4), 0.72 x2, 0.6 x2, 0.3 x2 (P 4/8, R 1) -> 1/2 + 1/4.
    expect(weightedPxap(h, [1, 2])).toBeCloseTo(75, 10);
    expect(weightedPxap(h, [0, 0])).toBeNull();
  });

  test('equals PxapAccumulator at the same step on random maps, with repeated images for weights', () => {
    let state = 12345;
    const rng = () => {
      state = (state * 1103515245 + 12345) % 2147483648; // fixed LCG: the test needs varied values, not a stream
      return state / 2147483648;
    };
    const images = Array.from({ length: 6 }, () => ({
      map: Array.from({ length: 64 }, () => rng()),
      mask: Array.from({ length: 64 }, () => (rng() < 0.3 ? 1 : rng() < 0.05 ? 255 : 0)),
    }));
    const per = new PerImageHistograms();
    images.forEach((im, k) => {
      per.add(im.map, im.mask, `im${k}`);
    });
    const weights = [0, 3, 1, 0, 2, 1];
    const acc = new PxapAccumulator({ step: 0.01 });
    images.forEach((im, k) => {
      for (let r = 0; r < weights[k]!; r++) acc.accumulate(im.map, im.mask);
    });
    const reused = new PxapAccumulator({ step: 0.01 });
    expect(weightedPxap(per.toJSON(), weights, reused)).toBeCloseTo(acc.compute().pxap, 9);
    const all = new PxapAccumulator({ step: 0.01 });
    for (const im of images) all.accumulate(im.map, im.mask);
    expect(weightedPxap(per.toJSON(), [1, 1, 1, 1, 1, 1], reused)).toBeCloseTo(all.compute().pxap, 9);
  });

  test('bad input is refused and keeps nothing; malformed stored histograms are named', () => {
    const h = new PerImageHistograms();
    expect(() => h.add([0.5, 1.5], [1, 0], 'img-7')).toThrow(/img-7: score 1.5 at index 1/);
    expect(() => h.add([0.5], [1, 0], 'img-8')).toThrow(/img-8: score map has 1 values but its mask has 2/);
    expect(h.ids).toEqual([]);
    const good = twoImages().toJSON();
    expect(() =>
      checkPerImageHistograms(
        {
          ...good,
          fg: [
            [5, 1, 3, 1],
            [30, 1],
          ],
        },
        'rec.json',
      ),
    ).toThrow(/rec.json: foreground histogram of image a: bin 3 is not an ascending index/);
    expect(() =>
      checkPerImageHistograms(
        {
          ...good,
          bg: [
            [10, 0],
            [60, 1],
          ],
        },
        'rec.json',
      ),
    ).toThrow(/count 0/);
    expect(() => checkPerImageHistograms({ ...good, ids: ['a'] }, 'rec.json')).toThrow(/1 ids but 2 foreground/);
    expect(() => weightedPxap(good, [1])).toThrow(/1 weights for 2 images/);
  });
});
