import type { ResultRecord } from '@wslbench/core';
import { PerImageHistograms } from '@wslbench/metrics';
import { pairedDifferences, quantileSorted } from './paired.js';
import { fixtureRecord } from './testing/fixtures.js';

type Img = { map: number[]; mask: number[] };

/** A run with the given per-image maps; `pxap` (fraction) is the exact test PxAP the record reports. */
function run(method: string, seed: number, pxap: number, images: Img[], backbone = 'vgg16:w0.125'): ResultRecord {
  const r = fixtureRecord('synth-glas', method, backbone, seed, pxap, 0.9);
  const h = new PerImageHistograms();
  images.forEach((im, k) => {
    h.add(im.map, im.mask, `img${k}`);
  });
  return { ...r, test: { ...r.test!, perImage: h.toJSON() } };
}

// Each image: one foreground and one background pixel.
const perfect = (fg: number, bg: number): Img => ({ map: [fg, bg], mask: [1, 0] });
// PxAP of a set of identical images does not depend on how often each is drawn.
const same = (img: Img, n: number) => Array.from({ length: n }, () => img);
// fg 0.9, 0.3; bg 0.5, 0.1: P 1 at R 1/2, then P 2/3 at R 1 -> AP = 1/2 + 1/3.
const fiveSixths: Img = { map: [0.9, 0.5, 0.3, 0.1], mask: [1, 0, 1, 0] };

describe('pairedDifferences', () => {
  test('image resampling on two images: the CI spans the three possible resamples (hand-computed)', () => {
    // Method: perfect on both images (100 whatever the draw). Reference: image 0 fg 0.2 < bg 0.8, image 1 fg 0.7 > bg 0.3.
    // Reference PxAP: both images 50 (0.8 bg first, then 0.7 fg P 1/2 R 1/2, 0.2 fg P 2/4 R 1); image 0 twice 50;
    // image 1 twice 100. Differences 50, 50, 0 with probabilities 1/2, 1/4, 1/4: 2.5 % and 97.5 % quantiles 0 and 50.
    const records = [
      run('gradcam', 0, 1, [perfect(0.9, 0.1), perfect(0.6, 0.4)]),
      run('cam', 0, 0.5, [perfect(0.2, 0.8), perfect(0.7, 0.3)]),
    ];
    const d = pairedDifferences(records, 'synth-glas', ['cam']).get('vgg16')!.get('gradcam')!.get('cam')!;
    expect(d.diff).toBeCloseTo(50, 10);
    expect(d.lo).toBeCloseTo(0, 10);
    expect(d.hi).toBeCloseTo(50, 10);
    expect(d.significant).toBe(false);
    expect(d.runs).toEqual(['f0-s0']);
    expect(d.images).toBe(2);
  });

  test('seed resampling: differences 50 and 50/3 at two seeds give the CI [50/3, 50]; always positive = significant', () => {
    const records = [
      run('negev', 0, 1, same(perfect(0.9, 0.1), 4)),
      run('negev', 1, 1, same(perfect(0.9, 0.1), 4)),
      run('cam', 0, 0.5, same(perfect(0.2, 0.8), 4)),
      run('cam', 1, 5 / 6, same(fiveSixths, 4)),
    ];
    const d = pairedDifferences(records, 'synth-glas', ['cam']).get('vgg16')!.get('negev')!.get('cam')!;
    expect(d.diff).toBeCloseTo((50 + 50 / 3) / 2, 10);
    expect(d.lo).toBeCloseTo(50 / 3, 10);
    expect(d.hi).toBeCloseTo(50, 10);
    expect(d.significant).toBe(true);
    expect(d.runs).toEqual(['f0-s0', 'f0-s1']);
  });

  test('the interval is centred on the exact PxAP difference; the mean column averages backbones; seeded', () => {
    const img = [perfect(0.9, 0.1), perfect(0.6, 0.4), perfect(0.2, 0.8)];
    const bad = [perfect(0.2, 0.8), perfect(0.7, 0.3), perfect(0.4, 0.6)];
    // The records say 98 and 40 (their finer step); the interval must sit around 58, whatever the histograms give.
    const records = [
      run('gradcam', 0, 0.98, img),
      run('cam', 0, 0.4, bad),
      run('gradcam', 0, 0.9, same(perfect(0.9, 0.1), 3), 'resnet50:w0.125'),
      run('cam', 0, 0.7, same(perfect(0.9, 0.1), 3), 'resnet50:w0.125'),
    ];
    const all = pairedDifferences(records, 'synth-glas', ['cam', 'negev'], { replicates: 200, seed: 3 });
    const vgg = all.get('vgg16')!.get('gradcam')!.get('cam')!;
    const res = all.get('resnet50')!.get('gradcam')!.get('cam')!;
    const mean = all.get('mean')!.get('gradcam')!.get('cam')!;
    expect(vgg.diff).toBeCloseTo(58, 10);
    expect(vgg.lo).toBeLessThanOrEqual(vgg.diff);
    expect(vgg.hi).toBeGreaterThanOrEqual(vgg.diff);
    // Identical perfect maps on ResNet: every replicate's histogram difference is 0, the CI collapses on the exact 20.
    expect(res.lo).toBeCloseTo(20, 10);
    expect(res.hi).toBeCloseTo(20, 10);
    expect(mean.diff).toBeCloseTo(39, 10);
    // Same image draw on both backbones: the mean's interval is the vgg interval's halves shifted by 10.
    expect(mean.lo).toBeCloseTo((vgg.lo + 20) / 2, 10);
    expect(mean.hi).toBeCloseTo((vgg.hi + 20) / 2, 10);
    expect(all.get('vgg16')!.get('cam')).toBeUndefined(); // no reference against itself; no NEGEV runs
    const again = pairedDifferences(records, 'synth-glas', ['cam'], { replicates: 200, seed: 3 });
    expect(again.get('vgg16')!.get('gradcam')!.get('cam')).toEqual(vgg);
  });

  test('runs without per-image histograms are left out; mismatched test images and bad settings are errors', () => {
    const withHist = fixtureRecord('synth-glas', 'gradcam', 'vgg16:w0.125', 0, 0.7, 0.9);
    const { perImage: _dropped, ...scores } = withHist.test!;
    const plain: ResultRecord = { ...withHist, test: scores };
    const cam = run('cam', 0, 0.5, [perfect(0.2, 0.8), perfect(0.7, 0.3)]);
    expect(pairedDifferences([plain, cam], 'synth-glas', ['cam']).get('vgg16')?.get('gradcam')).toBeUndefined();
    const other = run('gradcam', 0, 1, [perfect(0.9, 0.1)]);
    expect(() => pairedDifferences([cam, other], 'synth-glas', ['cam'])).toThrow(
      /synth-glas\/gradcam\/vgg16:w0.125\/f0-s0: its test images \(1\) differ from the other runs' \(2\)/,
    );
    expect(() => pairedDifferences([cam], 'synth-camelyon', ['cam'])).toThrow(/got a record of synth-glas/);
    expect(() => pairedDifferences([cam], 'synth-glas', ['cam'], { replicates: 5 })).toThrow(/replicates/);
  });

  test('quantileSorted interpolates linearly as numpy.percentile', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([0, 10], 0.025)).toBeCloseTo(0.25, 12);
    expect(quantileSorted([7], 0.975)).toBe(7);
  });
});
