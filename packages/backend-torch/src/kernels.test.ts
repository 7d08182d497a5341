import * as tf from '@tensorflow/tfjs';
import { loadAddon } from './addon.js';
import { fallbackKernelsUsed, NATIVE_KERNELS } from './kernels.js';
import used from './kernels-used.json' with { type: 'json' };
import { compareParity, computeParityCase, PARITY_CASES, PARITY_TOLERANCE, resizeOp, seeded } from './parity-cases.js';
import { registerTorchBackend } from './register.js';

// Every native kernel against the TF.js CPU backend on the same seeded inputs. Without a libtorch the suite is
// skipped here, but CI sets WSLBENCH_REQUIRE_TORCH=1, which turns a missing addon into a failure.
const load = loadAddon();
if (!load.ok && process.env.WSLBENCH_REQUIRE_TORCH === '1') throw new Error(`torch backend required: ${load.reason}`);
const maybe = load.ok ? describe : describe.skip;

maybe('torch backend kernels match the TF.js CPU backend', () => {
  beforeAll(() => {
    const r = registerTorchBackend({ threads: 1 });
    if (!r.ok) throw new Error(r.reason);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test.each(PARITY_CASES)('%s', async (_name, f, tol = PARITY_TOLERANCE) => {
    const want = await computeParityCase('cpu', f);
    const before = tf.memory().numTensors;
    const got = await computeParityCase('torch', f);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      const w = want[i]!;
      expect([i, g.shape, g.dtype]).toEqual([i, w.shape, w.dtype]);
    });
    for (const { output, maxError, scale } of compareParity(want, got))
      if (maxError > tol * scale) throw new Error(`output ${output}: max |torch - cpu| = ${maxError} (scale ${scale})`);
  });

  test.each([['bilinear'], ['nearest']])(
    '%s resize gradient kernels are the exact adjoint of the forward (every corner/centre mode, non-square)',
    async (kind) => {
      await tf.setBackend('torch');
      for (const [size, ac, hp] of [
        [[11, 3], false, false],
        [[9, 13], true, false],
        [[64, 48], false, true],
        [[3, 4], false, true],
      ] as [[number, number], boolean, boolean][]) {
        const [lhs, rhs] = tf.tidy(() => {
          const x = seeded([2, 5, 7, 3], 50);
          const dy = seeded([2, ...size, 3], 51);
          const op = resizeOp(kind as 'bilinear', size, ac, hp);
          const g = tf.grads((a: tf.Tensor) => op(a).mul(dy).sum())([x])[0]!;
          return [op(x).mul(dy).sum().dataSync()[0]!, x.mul(g).sum().dataSync()[0]!];
        });
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
      }
    },
  );

  test('every kernel wslbench dispatches is native on torch (no CPU fallback)', () => {
    const native = new Set(Object.keys(NATIVE_KERNELS));
    const missing = used.kernels.filter((k) => !native.has(k));
    expect(missing).toEqual([]);
    expect(fallbackKernelsUsed()).toEqual([]);
  });

  test('tensors and libtorch memory return to baseline; dispose frees handles', async () => {
    await tf.setBackend('torch');
    const backend = tf.backend() as unknown as { memory(): { numTorchTensors: number } };
    const t0 = backend.memory().numTorchTensors;
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const x = seeded([2, 8, 8, 3], 40 + i);
      tf.dispose(
        tf.grads((a: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, tf.ones([3, 3, 3, 2]), 1, 'same')
            .relu()
            .sum(),
        )([x]),
      );
      x.dispose();
      expect(tf.memory().numTensors).toBe(n0);
      expect(backend.memory().numTorchTensors).toBe(t0);
    }
  });

  test('bool and int32 survive a round trip; unsupported dtypes are refused by name', async () => {
    await tf.setBackend('torch');
    const b = tf.tensor1d([true, false, true], 'bool');
    expect(Array.from(b.dataSync())).toEqual([1, 0, 1]);
    const i = tf.tensor1d([2147483647, -5], 'int32');
    expect(Array.from(await i.data())).toEqual([2147483647, -5]);
    expect(() => tf.tensor1d(['a', 'b'], 'string')).toThrow(/string/);
    tf.dispose([b, i]);
  });

  test('a kernel the addon lacks runs on the CPU fallback and is named', async () => {
    await tf.setBackend('torch');
    const x = tf.tensor1d([1, 2, 3, 4]);
    const y = tf.diag(x);
    expect(Array.from(y.dataSync())).toEqual([1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4]);
    expect(fallbackKernelsUsed()).toContain('Diag');
    tf.dispose([x, y]);
  });
});
