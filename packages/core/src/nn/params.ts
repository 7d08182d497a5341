import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../seeds.js';
import { type Initializer, initValues } from './init.js';

/** 'base' trains at lr, 'head' at lr x headLrMultiplier (10 in the reference: new layers and heads). */
export type ParamGroup = 'base' | 'head';

export interface Param {
  name: string;
  variable: tf.Variable;
  group: ParamGroup;
  /** false for batch-norm running statistics and frozen parts: saved in checkpoints, never updated by SGD. */
  trainable: boolean;
}

/** Serialisable snapshot of every variable (weights + running stats), keyed by name. */
export type WeightSnapshot = Record<string, { shape: number[]; data: Float32Array }>;

/**
 * Owns the tf.Variables of a model. Names are hierarchical ('encoder.conv1_1.kernel') so that checkpoints,
 * Keras weight import and parameter groups all address the same thing.
 */
export class ParamStore {
  private readonly byName = new Map<string, Param>();
  constructor(private readonly rng: Rng) {}

  add(name: string, shape: number[], init: Initializer, group: ParamGroup, trainable = true): tf.Variable {
    if (this.byName.has(name)) throw new Error(`ParamStore: duplicate parameter name '${name}'`);
    const values = initValues(shape, init, this.rng);
    // The variable shares the initial tensor's data; dispose the handle so only the variable remains.
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, trainable, `${name}_${uid()}`);
    initial.dispose();
    this.byName.set(name, { name, variable, group, trainable });
    return variable;
  }

  get(name: string): Param {
    const p = this.byName.get(name);
    if (!p) throw new Error(`ParamStore: no parameter '${name}'`);
    return p;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  all(): Param[] {
    return [...this.byName.values()];
  }

  trainable(): Param[] {
    return this.all().filter((p) => p.trainable);
  }

  /** Freeze (or unfreeze) every parameter whose name starts with `prefix`. */
  setTrainable(prefix: string, trainable: boolean): void {
    for (const p of this.byName.values()) {
      if (p.name.startsWith(prefix) && !isRunningStat(p.name)) {
        p.trainable = trainable;
        (p.variable as unknown as { trainable: boolean }).trainable = trainable;
      }
    }
  }

  countParams(filter: (p: Param) => boolean = (p) => !isRunningStat(p.name)): number {
    return this.all()
      .filter(filter)
      .reduce((s, p) => s + p.variable.size, 0);
  }

  snapshot(prefix = ''): WeightSnapshot {
    const out: WeightSnapshot = {};
    for (const p of this.byName.values()) {
      if (!p.name.startsWith(prefix)) continue;
      out[p.name] = { shape: p.variable.shape.slice(), data: p.variable.dataSync().slice() as Float32Array };
    }
    return out;
  }

  /** Load a snapshot; with `strict`, missing or extra names and shape mismatches are an error listing them. */
  restore(snap: WeightSnapshot, { strict = true, prefix = '' } = {}): void {
    const problems: string[] = [];
    for (const p of this.byName.values()) {
      if (!p.name.startsWith(prefix)) continue;
      const s = snap[p.name];
      if (!s) {
        if (strict) problems.push(`missing '${p.name}'`);
        continue;
      }
      if (s.shape.join('x') !== p.variable.shape.join('x')) {
        problems.push(`shape of '${p.name}': got [${s.shape}], expected [${p.variable.shape}]`);
        continue;
      }
      const value = tf.tensor(s.data, s.shape, 'float32');
      p.variable.assign(value);
      value.dispose();
    }
    if (strict)
      for (const name of Object.keys(snap))
        if (name.startsWith(prefix) && !this.byName.has(name)) problems.push(`unexpected '${name}'`);
    if (problems.length)
      throw new Error(`ParamStore.restore: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }

  dispose(): void {
    for (const p of this.byName.values()) p.variable.dispose();
    this.byName.clear();
  }
}

export function isRunningStat(name: string): boolean {
  return name.endsWith('.moving_mean') || name.endsWith('.moving_var');
}

let counter = 0;
function uid(): number {
  counter += 1;
  return counter;
}
