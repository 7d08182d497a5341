import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseStrict, readJsonFile, type SearchDim } from '@wslbench/core';
import { z } from 'zod';

const Dim = z.union([
  z.object({ min: z.number(), max: z.number(), scaling: z.enum(['linear', 'log']) }).strict(),
  z.object({ feasiblePoints: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1) }).strict(),
]);

const nonEmpty = <T extends z.ZodTypeAny>(t: T) => z.array(t).min(1);

/**
 * A grid file: a base run config, the axes whose product gives the cells, and optionally the protocol's random
 * search (N trials per method x backbone x dataset x fold, chosen on valpx, then run at every seed of the axes).
 */
export const GridFile = z
  .object({
    /** RunConfig fields shared by every cell (method, backbone, dataset, fold and seed come from the axes). */
    base: z.record(z.string(), z.unknown()).default({}),
    /** RunConfig fields merged over `base` for one backbone id (e.g. its pretrained encoder). */
    byBackbone: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    axes: z
      .object({
        method: nonEmpty(z.string().min(1)),
        backbone: nonEmpty(z.string().min(1)),
        dataset: nonEmpty(z.string().min(1)),
        fold: nonEmpty(z.number().int().min(0).max(4)).default([0]),
        seed: nonEmpty(z.number().int()).default([0]),
      })
      .strict(),
    search: z
      .object({
        trials: z.number().int().positive(),
        /** Master seed of the trial draws. */
        seed: z.number().int().default(0),
        /** Training seed of every trial (default: the first seed of axes.seed). */
        trainSeed: z.number().int().optional(),
        /**
         * Dimensions besides each method's own searchSpace (`hp.<name>` entries): keys `optimizer.<field>`.
         * Default: the learning rate, log-uniform over [lr / 10, lr x 10] around the base config's lr.
         */
        space: z.record(z.string(), Dim).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type GridFile = z.infer<typeof GridFile>;
export type SearchSpace = Record<string, SearchDim>;

/** Config fields that hold paths: made absolute at plan time so a cell runs from any working directory. */
function absolutePaths(fields: Record<string, unknown>, from: string, what: string): Record<string, unknown> {
  const out = { ...fields };
  const abs = (p: string, field: string) => {
    const full = isAbsolute(p) ? p : resolve(from, p);
    if (field !== 'dataRoot' && !existsSync(full)) throw new Error(`${what}: ${field} '${p}' does not exist (${full})`);
    return full;
  };
  if (typeof out.weights === 'string') out.weights = abs(out.weights, 'weights');
  if (typeof out.dataRoot === 'string') out.dataRoot = abs(out.dataRoot, 'dataRoot');
  const init = out.encoderInit as { file?: unknown } | undefined;
  if (init && typeof init.file === 'string') out.encoderInit = { ...init, file: abs(init.file, 'encoderInit.file') };
  return out;
}

/** Read and validate a grid file; relative paths in it are resolved from `cwd`. */
export function readGridFile(path: string, cwd = process.cwd()): GridFile {
  if (!existsSync(path)) throw new Error(`grid file ${path}: not found`);
  const grid = parseStrict(GridFile, readJsonFile(path), `grid file ${path}`);
  for (const k of ['method', 'backbone', 'dataset', 'fold', 'seed', 'resultsDir'])
    if (k in grid.base)
      throw new Error(
        `grid file ${path}: base.${k} is not allowed (${k === 'resultsDir' ? 'cells write into the run folder' : `it comes from axes.${k}`})`,
      );
  return {
    ...grid,
    base: absolutePaths(grid.base, cwd, `grid file ${path}: base`),
    byBackbone: Object.fromEntries(
      Object.entries(grid.byBackbone).map(([b, f]) => [b, absolutePaths(f, cwd, `grid file ${path}: byBackbone.${b}`)]),
    ),
  };
}
