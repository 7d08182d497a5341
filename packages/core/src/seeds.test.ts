import { deriveSeed, restoreRng, rngStream, shuffled } from './seeds.js';

describe('seeds', () => {
  it('derives the same stream from the same parts and different streams otherwise', () => {
    const a = rngStream(0, 'cam', 'vgg16', 'synth-glas', 0);
    const b = rngStream(0, 'cam', 'vgg16', 'synth-glas', 0);
    const c = rngStream(0, 'cam', 'vgg16', 'synth-glas', 1);
    const va = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(va);
    expect([c(), c(), c()]).not.toEqual(va);
    expect(deriveSeed(3, 'x', 1)).toBe('3/x/1');
  });

  it('resumes a stream from its saved state', () => {
    const a = rngStream(7, 'loader');
    a();
    a();
    const saved = a.state();
    const next = [a(), a.int32(), a()];
    const b = restoreRng(saved);
    expect([b(), b.int32(), b()]).toEqual(next);
  });

  it('shuffles deterministically and keeps every item', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const s1 = shuffled(items, rngStream(1, 's'));
    const s2 = shuffled(items, rngStream(1, 's'));
    expect(s1).toEqual(s2);
    expect(s1).not.toEqual(items);
    expect([...s1].sort((x, y) => x - y)).toEqual(items);
  });
});
