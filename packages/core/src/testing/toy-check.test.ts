import { toyCheckFailures } from './toy-check.js';

describe('toyCheckFailures', () => {
  const ok = { losses: [0.7, 0.5], mapShape: [8, 4, 4], mapMin: 0, mapMax: 1, logitsShape: [8, 2], leakedTensors: 0 };
  it('is empty when every expectation holds and names each one that does not', () => {
    expect(toyCheckFailures(ok)).toEqual([]);
    expect(
      toyCheckFailures({ ...ok, losses: [0.5, 0.5], mapShape: [8, 2, 2], mapMin: -0.1, mapMax: 1.2, leakedTensors: 3 }),
    ).toEqual([
      'loss did not fall: 0.5 -> 0.5',
      'map shape 8,2,2',
      'map minimum -0.1 < 0',
      'map maximum 1.2 > 1',
      '3 leaked tensors',
    ]);
    expect(toyCheckFailures({ ...ok, logitsShape: [8, 3] })).toEqual(['logits shape 8,3']);
    expect(toyCheckFailures({ ...ok, logitsShape: [8, 3] }, { numClasses: 3 })).toEqual([]);
  });
});
