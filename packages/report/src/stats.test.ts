import { kendallTau, mean, sampleStd } from './stats.js';

describe('stats', () => {
  it('mean and sample std (n - 1), std undefined for one value', () => {
    expect(mean([60, 64])).toBe(62);
    expect(sampleStd([60, 64])).toBeCloseTo(Math.sqrt(8), 12);
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(sampleStd([5])).toBeNull();
    expect(() => mean([])).toThrow('empty');
  });

  it('Kendall tau on a hand example: 7 concordant, 3 discordant pairs -> 0.4', () => {
    // Pairs of b = [3,1,2,5,4] against a sorted a: discordant (1,2), (1,3), (4,5); the other 7 concordant.
    expect(kendallTau([1, 2, 3, 4, 5], [3, 1, 2, 5, 4])).toBeCloseTo(0.4, 12);
    expect(kendallTau([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
    expect(kendallTau([1, 2, 3], [1, 2, 3])).toBeCloseTo(1, 12);
  });

  it('tau-b with ties: C=4, D=0, one tie in each ranking -> 4 / sqrt(5 * 5) = 0.8 (as scipy)', () => {
    expect(kendallTau([1, 2, 2, 3], [1, 2, 3, 3])).toBeCloseTo(0.8, 12);
  });

  it('undefined (null) for fewer than two pairs or a constant side; error on length mismatch', () => {
    expect(kendallTau([1], [2])).toBeNull();
    expect(kendallTau([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(() => kendallTau([1, 2], [1])).toThrow('lengths differ');
  });
});
