import { npArgmax } from './operating-point.js';
import { PxapAccumulator } from './pxap.js';

describe('IoU / Dice at the best threshold', () => {
  it('picks the mIoU-maximising point and reports the correct tau (hand-computed)', () => {
    // fg {1.0, 0.5}, bg {0.999, 0.5}. mIoU per tau: 2.0 -> (0 + 2/4)/2 = .25; 1.0 -> (1/2 + 2/3)/2 = 7/12;
    // .999 -> (1/3 + 1/3)/2; .5 and below -> (2/4 + 0)/2 = .25. Best: tau = 1.0 (index 1).
    const acc = new PxapAccumulator().accumulate([1.0, 0.5, 0.999, 0.5], [1, 1, 0, 0]);
    const b = acc.compute().best;
    expect(b.index).toBe(1);
    expect(b.tau).toBe(1.0);
    expect(b.referenceTau).toBe(0.001); // the reference's mislabelled ascending edges[1]
    expect(b.iouFg).toBeCloseTo(50, 12);
    expect(b.iouBg).toBeCloseTo(200 / 3, 12);
    expect(b.miou).toBeCloseTo((100 * 7) / 12, 12);
    expect(b.diceFg).toBeCloseTo((100 * 2) / 3, 12); // 2*1 / (2*1 + 0 + 1)
    expect(b.diceBg).toBeCloseTo(80, 12); // 2*2 / (2*2 + 0 + 1)
    expect([b.tpRate, b.fnRate, b.tnRate, b.fpRate]).toEqual([50, 50, 100, 0]);
    expect([b.tp, b.fp, b.fn, b.tn]).toEqual([1, 0, 1, 2]);
  });

  it('evaluates at a given tau (nearest operating point)', () => {
    const acc = new PxapAccumulator().accumulate([1.0, 0.5, 0.999, 0.5], [1, 1, 0, 0]);
    const p = acc.operatingPointAt(0.5);
    expect(p.index).toBe(501);
    expect(p.tau).toBe(0.5);
    expect(p.referenceTau).toBe(0.501); // ascending edges[501]
    expect([p.tp, p.fp, p.fn, p.tn]).toEqual([2, 2, 0, 0]);
    expect(p.iouFg).toBe(50);
    expect(p.iouBg).toBe(0);
    expect(acc.operatingPointAt(0.9992).tau).toBe(0.999);
  });

  it('a perfect map gives IoU = Dice = 100 at tau = 1', () => {
    const b = new PxapAccumulator().accumulate([1, 1, 0, 0, 0], [1, 1, 0, 0, 0]).compute().best;
    expect([b.tau, b.iouFg, b.diceFg, b.miou]).toEqual([1, 100, 100, 100]);
  });

  it('follows numpy argmax on NaN mIoU (all-foreground set: IoU_bg = 0/0 once fn = 0)', () => {
    const b = new PxapAccumulator().accumulate([1, 1, 0.3], [1, 1, 1]).compute().best;
    // index 0: miou 0; index 1 (tau=1): fn=1 -> iou_bg = 0/1 = 0, miou = (2/3)/2; ... tau=.3: fn=0 -> NaN.
    expect(b.index).toBe(1001 - 300);
    expect(b.tau).toBe(0.3);
    expect(b.miou).toBeNaN();
    expect(b.diceFg).toBe(100);
    expect(b.tnRate).toBeNaN();
  });

  it('npArgmax returns the first maximum, or the first NaN', () => {
    expect(npArgmax([1, 3, 3, 2])).toBe(1);
    expect(npArgmax([1, Number.NaN, 5, Number.NaN])).toBe(1);
    expect(() => npArgmax([])).toThrow(/empty/);
  });
});
