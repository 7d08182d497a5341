import { countSeeds, expectedSeedPrecision } from './seed-stats.js';

describe('NEGEV seed statistics', () => {
  test('countSeeds: seeds on true pixels, ignored pixels skipped, coverage sets', () => {
    const mask = [1, 1, 0, 0, 255];
    const covFg = new Set<number>();
    const covBg = new Set<number>();
    const c = countSeeds(
      [0, 0.5, 0.5, 0, 0.5],
      [0.5, 0, 0, 0.5, 0.5],
      mask,
      { fg: 0, fgTrue: 0, bg: 0, bgTrue: 0 },
      covFg,
      covBg,
    );
    // fg seeds on pixels 1 (fg) and 2 (bg); bg seeds on 0 (fg) and 3 (bg); pixel 4 ignored.
    expect(c).toEqual({ fg: 2, fgTrue: 1, bg: 2, bgTrue: 1 });
    expect([...covFg]).toEqual([1]);
    expect([...covBg]).toEqual([3]);
    expect(() => countSeeds([0], [0, 0], [1, 0], c)).toThrow(/1 \/ 2 weights for a mask of 2 pixels/);
  });

  test('expectedSeedPrecision: probability mass on the true pixels (hand-computed)', () => {
    // C = 0.8, 0.2 on fg; 0.4, 0.0 on bg. fg draw ∝ C: (0.8 + 0.2) / 1.4; bg draw ∝ 1 - C: (0.6 + 1) / (0.2 + 0.8 + 0.6 + 1).
    const p1 = expectedSeedPrecision([0.8, 0.2, 0.4, 0], [1, 1, 0, 0]);
    expect(p1.fg).toBeCloseTo(1 / 1.4, 5);
    expect(p1.bg).toBeCloseTo(1.6 / 2.6, 5);
    // γ = 2: (0.64 + 0.04) / (0.64 + 0.04 + 0.16); bg (0.36 + 1) / (0.04 + 0.64 + 0.36 + 1).
    const p2 = expectedSeedPrecision([0.8, 0.2, 0.4, 0], [1, 1, 0, 0], 2);
    expect(p2.fg).toBeCloseTo(0.68 / 0.84, 5);
    expect(p2.bg).toBeCloseTo(1.36 / 2.04, 5);
  });
});
