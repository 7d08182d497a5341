import { RunConfig } from '@wslbench/core';
import { getMethod } from '@wslbench/registry';
import { drawTrials, searchSpaceFor } from './search-space.js';

const base = RunConfig.parse({ method: 'cam', backbone: 'vgg16', dataset: 'synth-glas', optimizer: { lr: 0.01 } });

describe('search space and trials', () => {
  test("a method's space is its descriptor's searchSpace plus the protocol's learning rate", () => {
    expect(searchSpaceFor(getMethod('cam'), base)).toEqual({
      'optimizer.lr': { min: 0.001, max: 0.1, scaling: 'log' },
    });
    const has = searchSpaceFor(getMethod('has'), { ...base, method: 'has' });
    expect(Object.keys(has).sort()).toEqual(['hp.dropRate', 'hp.gridSize', 'optimizer.lr']);
    expect(() =>
      searchSpaceFor(getMethod('cam'), base, { 'optimizer.lrr': { min: 1, max: 2, scaling: 'linear' } }),
    ).toThrow(/search\.space\.optimizer\.lrr/);
    expect(() =>
      searchSpaceFor(getMethod('cam'), base, { 'optimizer.lr': { min: 0, max: 1, scaling: 'log' } }),
    ).toThrow(/min > 0/);
  });

  test('trials are seeded, in range, and each trial is the same whatever the number drawn', () => {
    const space = searchSpaceFor(getMethod('has'), { ...base, method: 'has' });
    const four = drawTrials(space, 4, 7, 'has_vgg16_synth-glas_f0');
    expect(drawTrials(space, 2, 7, 'has_vgg16_synth-glas_f0')).toEqual(four.slice(0, 2));
    expect(drawTrials(space, 4, 8, 'has_vgg16_synth-glas_f0')).not.toEqual(four);
    for (const t of four) {
      expect(t['optimizer.lr']).toBeGreaterThanOrEqual(0.001);
      expect(t['optimizer.lr']).toBeLessThanOrEqual(0.1);
      expect([4, 5, 8, 16, 32, 56]).toContain(t['hp.gridSize']);
      expect(t['hp.dropRate']).toBeGreaterThanOrEqual(0.1);
      expect(t['hp.dropRate']).toBeLessThanOrEqual(0.9);
    }
    // Log scaling: over many draws about half the learning rates fall below the geometric mid-point (0.01).
    const lrs = drawTrials(space, 200, 1, 'k').map((t) => t['optimizer.lr'] as number);
    const below = lrs.filter((x) => x < 0.01).length;
    expect(below).toBeGreaterThan(70);
    expect(below).toBeLessThan(130);
  });
});
