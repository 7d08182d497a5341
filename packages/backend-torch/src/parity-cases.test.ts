import * as tf from '@tensorflow/tfjs';
import { compareParity, computeParityCase, PARITY_CASES, type ParityOutput } from './parity-cases.js';

// The comparison the jest suite and the GPU device check share; it needs no libtorch.
const out = (values: number[], shape = [values.length], dtype = 'float32'): ParityOutput => ({ shape, dtype, values });

describe('compareParity', () => {
  test('max |got - want| per output, with the scale max(1, max |want|)', () => {
    const r = compareParity([out([1, -4, 2]), out([0.1, 0.2])], [out([1.5, -4, 2]), out([0.1, 0.25])]);
    expect(r.map((o) => o.output)).toEqual([0, 1]);
    expect(r[0]!.maxError).toBeCloseTo(0.5, 12);
    expect(r[0]!.scale).toBe(4);
    expect(r[1]!.maxError).toBeCloseTo(0.05, 7);
    expect(r[1]!.scale).toBe(1);
    expect(r.some((o) => o.mismatch)).toBe(false);
  });

  test('a shape, dtype or output-count difference is named and never passes', () => {
    const [shape] = compareParity([out([1, 2, 3, 4], [2, 2])], [out([1, 2, 3, 4], [4, 1])]);
    expect(shape!.mismatch).toBe('float32[4,1] vs float32[2,2]');
    expect(shape!.maxError).toBe(Infinity);
    const [dtype] = compareParity([out([1, 0], [2], 'bool')], [out([1, 0], [2], 'int32')]);
    expect(dtype!.mismatch).toBe('int32[2] vs bool[2]');
    const [count] = compareParity([out([1]), out([2])], [out([1])]);
    expect(count!.mismatch).toBe('1 outputs, want 2');
  });
});

test('a parity case computed twice on the cpu backend is identical and leaves no tensor behind', async () => {
  const before = tf.memory().numTensors;
  const [name, f] = PARITY_CASES.find(([n]) => n.startsWith('a tiny CNN training step'))!;
  const a = await computeParityCase('cpu', f);
  const b = await computeParityCase('cpu', f);
  expect(tf.memory().numTensors).toBe(before);
  expect(a.length).toBeGreaterThan(3);
  expect(compareParity(a, b).every((o) => o.maxError === 0 && !o.mismatch)).toBe(true);
  expect(name).toMatch(/loss and every gradient/);
});
