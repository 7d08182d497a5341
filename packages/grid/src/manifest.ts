import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AnyMethod, parseStrict, type RunConfig, readJsonFile, writeJsonAtomic } from '@wslbench/core';
import { getMethod } from '@wslbench/registry';
import { z } from 'zod';
import { canonicalJson, sha256Hex } from './canonical.js';
import { GridFile, type SearchSpace } from './grid-file.js';
import { resolveConfig } from './resolve-config.js';
import { applyTrial, drawTrials, searchSpaceFor } from './search-space.js';

/** One unit of work: a fully resolved run config, identified by a readable slug plus a hash of that config. */
export const GridCell = z.object({
  index: z.number().int().min(0),
  id: z.string(),
  /** 'trial': a search trial (chosen on valpx, never reported); 'final': a leaderboard cell. */
  role: z.enum(['final', 'trial']),
  /** Search key `{method}_{backbone}_{dataset}_f{fold}` (the naming of the benchmark's versioned configs). */
  key: z.string(),
  trial: z.number().int().nullable(),
  method: z.string(),
  backbone: z.string(),
  dataset: z.string(),
  fold: z.number().int(),
  seed: z.number().int(),
  /** The resolved RunConfig; resultsDir is relative to the run folder. */
  config: z.record(z.string(), z.unknown()),
  configHash: z.string(),
  /** Id of the cell whose trained classifier this one starts from (NEGEV <- CAM). */
  dependsOn: z.string().nullable(),
});
export type GridCell = z.infer<typeof GridCell>;

export const Manifest = z.object({
  schema: z.literal('wslbench/grid-manifest@1'),
  createdAt: z.string(),
  grid: GridFile,
  /** Per search key: the space its trials were drawn from (null without a search). */
  search: z.record(z.string(), z.record(z.string(), z.unknown())).nullable(),
  /** With a search: whether the chosen configurations' final cells were added (`wslbench grid choose`). */
  chosen: z.boolean(),
  cells: z.array(GridCell),
});
export type Manifest = z.infer<typeof Manifest>;

export const MANIFEST_FILE = 'manifest.json';

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
export const searchKey = (method: string, backbone: string, dataset: string, fold: number) =>
  `${method}_${slug(backbone)}_${slug(dataset)}_f${fold}`;

/** The hash ignores where things live (results folder, data root): a cell is what it computes, not where. */
export function configHash(config: RunConfig, dependsOnHash: string | null): string {
  const { resultsDir: _r, dataRoot: _d, ...identity } = config;
  return sha256Hex(canonicalJson({ config: identity, after: dependsOnHash })).slice(0, 12);
}

type Fields = Record<string, unknown>;
const OBJECT_FIELDS = ['input', 'optimizer', 'selection', 'hp', 'synth', 'encoderInit'];
/** `over` on top of `base`; the nested config objects are merged one level deep. */
function mergeFields(base: Fields, over: Fields): Fields {
  const out: Fields = { ...base, ...over };
  for (const k of OBJECT_FIELDS) if (base[k] && over[k]) out[k] = { ...(base[k] as Fields), ...(over[k] as Fields) };
  return out;
}

export interface CellSpec {
  role: 'final' | 'trial';
  trial: number | null;
  config: RunConfig;
  dependsOn: GridCell | null;
}

export function makeCell(index: number, spec: CellSpec): GridCell {
  const c = spec.config;
  const hash = configHash(c, spec.dependsOn?.configHash ?? null);
  const trial = spec.trial === null ? '' : `__t${spec.trial}`;
  const id = `${c.method}__${slug(c.backbone)}__${slug(c.dataset)}__f${c.fold}__s${c.seed}${trial}__${hash.slice(0, 8)}`;
  return {
    index,
    id,
    role: spec.role,
    key: searchKey(c.method, c.backbone, c.dataset, c.fold),
    trial: spec.trial,
    method: c.method,
    backbone: c.backbone,
    dataset: c.dataset,
    fold: c.fold,
    seed: c.seed,
    config: { ...c, resultsDir: `cells/${id}` },
    configHash: hash,
    dependsOn: spec.dependsOn?.id ?? null,
  };
}

/** The config of one axes point, before any search values. */
export function pointConfig(
  grid: GridFile,
  p: { method: string; backbone: string; dataset: string; fold: number; seed: number },
  what: string,
): RunConfig {
  const fields = mergeFields(mergeFields(grid.base, grid.byBackbone[p.backbone] ?? {}), p);
  return resolveConfig(fields, getMethod(p.method), what);
}

/** Methods ordered so that a prerequisite (CAM) comes before the methods built on its classifier (NEGEV). */
function methodsInDependencyOrder(ids: readonly string[], what: string): AnyMethod[] {
  const methods = ids.map((id) => {
    try {
      return getMethod(id);
    } catch (e) {
      throw new Error(`${what}: axes.method: ${(e as Error).message}`);
    }
  });
  for (const m of methods) {
    const from = m.requirements.classifierFrom;
    if (from && !ids.includes(from))
      throw new Error(`${what}: axes.method has '${m.id}', which trains from '${from}'s classifier: add '${from}'`);
  }
  return [
    ...methods.filter((m) => !m.requirements.classifierFrom),
    ...methods.filter((m) => m.requirements.classifierFrom),
  ];
}

/** Expand a grid into its cells: every final cell (no search) or every search trial (with a search). */
export function planManifest(grid: GridFile, what = 'grid'): Manifest {
  const { axes } = grid;
  for (const b of Object.keys(grid.byBackbone))
    if (!axes.backbone.includes(b)) throw new Error(`${what}: byBackbone.${b} is not in axes.backbone`);
  const methods = methodsInDependencyOrder(axes.method, what);
  const cells: GridCell[] = [];
  const search: Record<string, SearchSpace> = {};
  const finalOf = new Map<string, GridCell>();
  for (const method of methods)
    for (const backbone of axes.backbone)
      for (const dataset of axes.dataset)
        for (const fold of axes.fold) {
          if (grid.search) {
            if (method.requirements.classifierFrom)
              throw new Error(
                `${what}: search: '${method.id}' trains from '${method.requirements.classifierFrom}'s chosen classifier; search '${method.requirements.classifierFrom}' first, then plan '${method.id}' without a search on top of its chosen config`,
              );
            const seed = grid.search.trainSeed ?? axes.seed[0] ?? 0;
            const at = `${what} (${searchKey(method.id, backbone, dataset, fold)})`;
            const base = pointConfig(grid, { method: method.id, backbone, dataset, fold, seed }, at);
            const space = searchSpaceFor(method, base, grid.search.space);
            search[searchKey(method.id, backbone, dataset, fold)] = space;
            drawTrials(
              space,
              grid.search.trials,
              grid.search.seed,
              searchKey(method.id, backbone, dataset, fold),
            ).forEach((values, t) => {
              const config = applyTrial(base, values, method, `${at} trial ${t}`);
              cells.push(makeCell(cells.length, { role: 'trial', trial: t, config, dependsOn: null }));
            });
            continue;
          }
          for (const seed of axes.seed) {
            const point = { method: method.id, backbone, dataset, fold, seed };
            const config = pointConfig(
              grid,
              point,
              `${what} (${method.id}, ${backbone}, ${dataset}, f${fold}, s${seed})`,
            );
            const from = method.requirements.classifierFrom;
            const dependsOn = from ? (finalOf.get(canonicalJson({ ...point, method: from })) ?? null) : null;
            const cell = makeCell(cells.length, { role: 'final', trial: null, config, dependsOn });
            finalOf.set(canonicalJson(point), cell);
            cells.push(cell);
          }
        }
  return {
    schema: 'wslbench/grid-manifest@1',
    createdAt: new Date().toISOString(),
    grid,
    search: grid.search ? search : null,
    chosen: false,
    cells,
  };
}

export function manifestPath(runDir: string): string {
  return join(runDir, MANIFEST_FILE);
}

export function readManifest(runDir: string): Manifest {
  const path = manifestPath(runDir);
  if (!existsSync(path))
    throw new Error(
      `${runDir}: no ${MANIFEST_FILE} (plan the grid first: wslbench grid plan GRID.json --out ${runDir})`,
    );
  return parseStrict(Manifest, readJsonFile(path), path);
}

/**
 * Freeze a manifest into a run folder. An existing manifest is kept when it plans the same cells (re-planning is a
 * no-op) and is an error otherwise: results of one grid are never mixed with another's.
 */
export function writeManifest(runDir: string, manifest: Manifest): { written: boolean } {
  const path = manifestPath(runDir);
  if (existsSync(path)) {
    const have = readManifest(runDir);
    const ids = (m: Manifest) => m.cells.map((c) => c.id).join('\n');
    const planned = ids(manifest);
    if (ids(have) === planned || (have.chosen && ids(have).startsWith(planned))) return { written: false };
    throw new Error(`${path}: the run folder already holds another grid's manifest; plan into a new folder`);
  }
  writeJsonAtomic(path, manifest);
  return { written: true };
}

/** Find a cell by --index or --id; an unknown one is an error naming the manifest's range. */
export function findCell(manifest: Manifest, sel: { index?: number; id?: string }): GridCell {
  const cell =
    sel.id !== undefined ? manifest.cells.find((c) => c.id === sel.id) : manifest.cells[sel.index ?? Number.NaN];
  if (!cell)
    throw new Error(
      sel.id !== undefined
        ? `no cell '${sel.id}' in the manifest`
        : `--index ${sel.index}: the manifest has cells 0-${manifest.cells.length - 1}`,
    );
  return cell;
}
