import { gaussian, type Rng } from '../seeds.js';

/**
 * Weight initialisers, drawn in JS from a seeded stream so that the same seed gives the same weights on every
 * backend (TF.js random ops differ between backends). Conv kernels are HWIO, dense kernels [in, out].
 */
export type Initializer =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  /** PyTorch kaiming_normal_(mode='fan_out', nonlinearity='relu'): torchvision's conv init for VGG/ResNet. */
  | { kind: 'kaimingNormalFanOut' }
  /** PyTorch kaiming_uniform_(mode='fan_in', nonlinearity='relu'): smp decoder convs. */
  | { kind: 'kaimingUniformFanIn' }
  /** xavier_uniform_: reference heads and the added Inception convs. */
  | { kind: 'xavierUniform' }
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; bound: number };

/** fan_in, fan_out of an HWIO conv kernel or an [in, out] dense kernel. */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  if (shape.length === 4) {
    const rf = shape[0]! * shape[1]!;
    return [rf * shape[2]!, rf * shape[3]!];
  }
  const n = shape.reduce((a, b) => a * b, 1);
  return [n, n];
}

export function initValues(shape: readonly number[], init: Initializer, rng: Rng): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const [fanIn, fanOut] = fans(shape);
  const uniform = (b: number) => {
    for (let i = 0; i < n; i++) out[i] = (rng() * 2 - 1) * b;
  };
  const normal = (s: number) => {
    for (let i = 0; i < n; i++) out[i] = gaussian(rng) * s;
  };
  switch (init.kind) {
    case 'zeros':
      break;
    case 'ones':
      out.fill(1);
      break;
    case 'constant':
      out.fill(init.value);
      break;
    case 'kaimingNormalFanOut':
      normal(Math.sqrt(2 / fanOut));
      break;
    case 'kaimingUniformFanIn':
      uniform(Math.sqrt(6 / fanIn));
      break;
    case 'xavierUniform':
      uniform(Math.sqrt(6 / (fanIn + fanOut)));
      break;
    case 'normal':
      normal(init.std);
      break;
    case 'uniform':
      uniform(init.bound);
      break;
  }
  return out;
}
