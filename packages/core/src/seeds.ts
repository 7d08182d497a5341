import seedrandom from 'seedrandom';

/** A seeded random stream: call it for a float in [0, 1). `state()` / `restore` make it resumable. */
export interface Rng {
  (): number;
  /** Uniform 32-bit integer, for TF.js ops that take a numeric seed. */
  int32(): number;
  state(): object;
}

/**
 * Derive a named seed from a master seed by folding in context parts (AlgoPerf-style fold-in):
 * e.g. deriveSeed(0, 'cam', 'vgg16', 'synth-glas', 'f0', 'init'). Pure function of its inputs.
 */
export function deriveSeed(master: number | string, ...parts: (string | number)[]): string {
  return [String(master), ...parts.map(String)].join('/');
}

/** A seedrandom stream for (master, ...parts). Same inputs, same stream, on any machine. */
export function rngStream(master: number | string, ...parts: (string | number)[]): Rng {
  return wrap(seedrandom(deriveSeed(master, ...parts), { state: true }));
}

/** Rebuild a stream exactly where `rng.state()` left it (checkpoint resume). */
export function restoreRng(state: object): Rng {
  return wrap(seedrandom('', { state: state as seedrandom.State.Arc4 }));
}

function wrap(prng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>): Rng {
  const rng = (() => prng()) as Rng;
  rng.int32 = () => prng.int32() >>> 0;
  rng.state = () => prng.state();
  return rng;
}

/** Fisher-Yates shuffle of a copy, driven by `rng`. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Standard normal draw (Box-Muller) from a seeded stream. */
export function gaussian(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
