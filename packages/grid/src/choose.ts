import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type AnyMethod, parseStrict, type RunConfig, readJsonFile, writeJsonAtomic } from '@wslbench/core';
import { getMethod } from '@wslbench/registry';
import { z } from 'zod';
import { type GridCell, type Manifest, makeCell, manifestPath } from './manifest.js';
import { resolveConfig } from './resolve-config.js';
import { readError, readValidResult } from './run-folder.js';

/**
 * What a selection step may see of a trial: its few-shot valpx PxAP and valcl accuracy at the best_localization
 * epoch. Built from the record's `status`, `bestLocalizationEpoch` and `selection` only; the test scores never reach
 * the chooser (choose.test.ts fails if any step of choosing reads one).
 */
export interface ValidationView {
  valpx: number | null;
  valcl: number | null;
}

export function validationView(record: {
  status: string;
  bestLocalizationEpoch: number | null;
  selection: readonly { epoch: number; pxap: number; clAccuracy: number }[];
}): ValidationView {
  if (record.status !== 'ok' || record.bestLocalizationEpoch === null) return { valpx: null, valcl: null };
  const e = record.selection.find((x) => x.epoch === record.bestLocalizationEpoch);
  return { valpx: e?.pxap ?? null, valcl: e?.clAccuracy ?? null };
}

export const SEARCH_CRITERION =
  'per search key, the trial with the highest few-shot valpx PxAP at its best_localization epoch (ties: the lowest ' +
  'trial) among the trials whose classifier is above chance on valcl at that epoch (all trials when none is; ' +
  'methods without a classifier, U-Net, exempt); test scores are never read';

const Values = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));
export const SearchTrial = z.object({
  trial: z.number().int(),
  values: Values,
  valpx: z.number().nullable(),
  valcl: z.number().nullable(),
});
export const SearchChoice = z.object({
  trial: z.number().int(),
  rule: z.enum(['best-valpx', 'best-valpx-none-classifies']),
  values: Values,
  /** The chosen run config (no seed-independent location fields: resultsDir, dataRoot). */
  config: z.record(z.string(), z.unknown()),
  space: z.record(z.string(), z.unknown()),
  searchSeed: z.number().int(),
  trainSeed: z.number().int(),
  trials: z.array(SearchTrial),
});
export type SearchChoice = z.infer<typeof SearchChoice>;
export const SearchFile = z.object({
  schema: z.literal('wslbench/search@1'),
  criterion: z.string(),
  keys: z.record(z.string(), SearchChoice),
});
export type SearchFile = z.infer<typeof SearchFile>;

export interface TrialView {
  trial: number;
  view: ValidationView;
}

/** The chosen trial among one key's trials (valpx only; chance on valcl = 100 / classes %). */
export function chooseTrial(
  trials: readonly TrialView[],
  exemptFromChance: boolean,
  classes = 2,
): { trial: number; rule: SearchChoice['rule'] } {
  const scored = trials.filter((t) => t.view.valpx !== null);
  if (scored.length === 0) throw new Error('every trial failed: nothing to choose from');
  const chance = 100 / classes;
  const classifying = exemptFromChance ? scored : scored.filter((t) => (t.view.valcl ?? 0) > chance);
  const pool = classifying.length ? classifying : scored;
  const best = [...pool].sort(
    (a, b) => (b.view.valpx as number) - (a.view.valpx as number) || a.trial - b.trial,
  )[0] as TrialView;
  return { trial: best.trial, rule: classifying.length ? 'best-valpx' : 'best-valpx-none-classifies' };
}

/** A trial's values: the searched fields of its config (hp.<name>, optimizer.<field>). */
function trialValues(cell: GridCell, space: Record<string, unknown>): Record<string, number | string | boolean> {
  return Object.fromEntries(
    Object.keys(space).map((k) => {
      const [group, field] = k.split('.') as [string, string];
      return [k, (cell.config[group] as Record<string, number | string | boolean>)[field] as number | string | boolean];
    }),
  );
}

/**
 * Choose every search key of a manifest from its trials' validation views. `viewOf` returns null for a trial that
 * failed and throws for one without an outcome (choosing on part of a search is an error).
 */
export function chooseSearch(
  manifest: Manifest,
  viewOf: (cell: GridCell) => ValidationView | null,
  classes = 2,
): SearchFile {
  if (!manifest.search || !manifest.grid.search)
    throw new Error('the manifest has no search (plan a grid with "search")');
  const out: SearchFile = { schema: 'wslbench/search@1', criterion: SEARCH_CRITERION, keys: {} };
  for (const [key, space] of Object.entries(manifest.search)) {
    const cells = manifest.cells.filter((c) => c.role === 'trial' && c.key === key);
    const views = cells.map((c) => ({ trial: c.trial as number, view: viewOf(c) ?? { valpx: null, valcl: null } }));
    const method = getMethod((cells[0] as GridCell).method);
    let chosen: ReturnType<typeof chooseTrial>;
    try {
      chosen = chooseTrial(views, method.family === 'supervised', classes);
    } catch (e) {
      throw new Error(`search ${key}: ${(e as Error).message}`);
    }
    const cell = cells.find((c) => c.trial === chosen.trial) as GridCell;
    const { resultsDir: _r, dataRoot: _d, ...config } = cell.config;
    out.keys[key] = {
      ...chosen,
      values: trialValues(cell, space),
      config,
      space,
      searchSeed: manifest.grid.search.seed,
      trainSeed: cell.seed,
      trials: cells.map((c, i) => ({
        trial: c.trial as number,
        values: trialValues(c, space),
        ...(views[i] as TrialView).view,
      })),
    };
  }
  return out;
}

/** The validation view of a trial in a run folder: null when it failed, an error when it has no outcome yet. */
export function runFolderView(runDir: string): (cell: GridCell) => ValidationView | null {
  return (cell) => {
    const r = readValidResult(runDir, cell);
    if (r) return validationView(r.record);
    if (readError(runDir, cell.id)) return null;
    throw new Error(
      `search trial ${cell.id} has no result yet (finish the trials: wslbench grid status --run ${runDir})`,
    );
  };
}

/** The final cells of the chosen configurations, at every seed of the grid's axes. */
export function finalCells(manifest: Manifest, search: SearchFile): GridCell[] {
  const cells: GridCell[] = [];
  let index = manifest.cells.length;
  for (const [key, choice] of Object.entries(search.keys)) {
    const trial = manifest.cells.find((c) => c.key === key && c.trial === choice.trial) as GridCell;
    const method: AnyMethod = getMethod(trial.method);
    for (const seed of manifest.grid.axes.seed) {
      const config: RunConfig = resolveConfig({ ...trial.config, seed }, method, `search ${key} seed ${seed}`);
      cells.push(makeCell(index++, { role: 'final', trial: null, config, dependsOn: null }));
    }
  }
  return cells;
}

/** Paths under `root` written relative to it: a versioned file must not name one machine's checkout. */
export function portablePaths(config: Record<string, unknown>, root: string): Record<string, unknown> {
  const rel = (p: unknown) => (typeof p === 'string' && p.startsWith(`${root}/`) ? relative(root, p) : p);
  const out = { ...config };
  if ('weights' in out) out.weights = rel(out.weights);
  const init = out.encoderInit as { file?: unknown } | undefined;
  if (init) out.encoderInit = { ...init, file: rel(init.file) };
  return out;
}

/**
 * Choose on valpx, write `<run>/search.json` (and merge it into `out`, a versioned file beside the configs), and
 * add the chosen configurations' final cells to the manifest. Choosing twice is an error: the finals are frozen.
 */
export function chooseRunFolder(
  runDirIn: string,
  manifest: Manifest,
  opts: { out?: string; classes?: number; relativeTo?: string } = {},
): { search: SearchFile; added: GridCell[] } {
  const runDir = resolve(runDirIn);
  if (manifest.chosen) throw new Error(`${runDir}: the search was already chosen (see ${join(runDir, 'search.json')})`);
  const search = chooseSearch(manifest, runFolderView(runDir), opts.classes);
  writeJsonAtomic(join(runDir, 'search.json'), search);
  if (opts.out) {
    const root = resolve(opts.relativeTo ?? process.cwd());
    for (const choice of Object.values(search.keys)) choice.config = portablePaths(choice.config, root);
    const previous = existsSync(opts.out) ? parseStrict(SearchFile, readJsonFile(opts.out), opts.out) : null;
    // Other keys of the versioned file are kept; keys sorted so that the file diffs cleanly.
    const keys = { ...(previous?.keys ?? {}), ...search.keys };
    writeJsonAtomic(opts.out, {
      ...search,
      keys: Object.fromEntries(
        Object.keys(keys)
          .sort()
          .map((k) => [k, keys[k]]),
      ),
    });
  }
  const added = finalCells(manifest, search);
  writeJsonAtomic(manifestPath(runDir), { ...manifest, chosen: true, cells: [...manifest.cells, ...added] });
  return { search, added };
}
