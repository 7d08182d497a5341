import { type AnyMethod, OptimizerConfig, type RunConfig, rngStream, type SearchDim } from '@wslbench/core';
import type { SearchSpace } from './grid-file.js';
import { resolveConfig } from './resolve-config.js';

export type TrialValues = Record<string, number | string | boolean>;

const OPTIMIZER_FIELDS = Object.keys(OptimizerConfig.shape);

/**
 * The space one method is searched over: its descriptor's `searchSpace` (as `hp.<name>`) plus the protocol's
 * shared dimensions (`optimizer.<field>`; by default the learning rate, log-uniform over a decade either side of the
 * base config's, as Choe et al. search the lr of every method).
 */
export function searchSpaceFor(method: AnyMethod, base: RunConfig, extra?: SearchSpace): SearchSpace {
  const space: SearchSpace = {};
  for (const [k, dim] of Object.entries(method.searchSpace as Record<string, SearchDim | undefined>))
    if (dim) space[`hp.${k}`] = dim;
  const shared = extra ?? {
    'optimizer.lr': { min: base.optimizer.lr / 10, max: base.optimizer.lr * 10, scaling: 'log' },
  };
  for (const [k, dim] of Object.entries(shared)) {
    const [group, field] = k.split('.');
    if (group === 'hp') {
      if (!field || !(field in (method.hyperparams.parse({}) as object)))
        throw new Error(`search.space.${k}: '${method.id}' has no hyper-parameter '${field}'`);
    } else if (group !== 'optimizer' || !field || !OPTIMIZER_FIELDS.includes(field))
      throw new Error(`search.space.${k}: expected hp.<name> or optimizer.<${OPTIMIZER_FIELDS.join('|')}>`);
    if ('min' in dim && !(dim.min < dim.max))
      throw new Error(`search.space.${k}: min ${dim.min} must be < max ${dim.max}`);
    if ('min' in dim && dim.scaling === 'log' && !(dim.min > 0))
      throw new Error(`search.space.${k}: a log dimension needs min > 0 (got ${dim.min})`);
    space[k] = dim;
  }
  return space;
}

function sample(dim: SearchDim, u: number): number | string | boolean {
  if ('feasiblePoints' in dim)
    return dim.feasiblePoints[Math.min(dim.feasiblePoints.length - 1, Math.floor(u * dim.feasiblePoints.length))] as
      | number
      | string
      | boolean;
  if (dim.scaling === 'log') return Math.exp(Math.log(dim.min) + u * (Math.log(dim.max) - Math.log(dim.min)));
  return dim.min + u * (dim.max - dim.min);
}

/**
 * N random trials, each from its own seeded stream (master seed, search key, trial number): a trial's values do
 * not depend on how many trials are drawn nor on the machine. Dimensions are drawn in sorted key order.
 */
export function drawTrials(space: SearchSpace, trials: number, seed: number, key: string): TrialValues[] {
  const dims = Object.keys(space).sort();
  return Array.from({ length: trials }, (_, t) => {
    const rng = rngStream(seed, 'search', key, t);
    return Object.fromEntries(dims.map((k) => [k, sample(space[k] as SearchDim, rng())]));
  });
}

/** The base config with a trial's values in place, validated (method schema included). */
export function applyTrial(base: RunConfig, values: TrialValues, method: AnyMethod, what: string): RunConfig {
  const hp = { ...base.hp };
  const optimizer: Record<string, unknown> = { ...base.optimizer };
  for (const [k, v] of Object.entries(values)) {
    const [group, field] = k.split('.') as [string, string];
    if (group === 'hp') hp[field] = v;
    else optimizer[field] = v;
  }
  return resolveConfig({ ...base, hp, optimizer }, method, what);
}
