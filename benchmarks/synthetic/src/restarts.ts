import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AnyMethod,
  ResultRecord,
  type RunConfig,
  readJsonFile,
  resultPath,
  writeJsonAtomic,
} from '@wslbench/core';
import { chooseTrial, validationView } from '@wslbench/grid';
import { z } from 'zod';
import type { Cell } from './cells.js';

/**
 * Restarts chosen on validation. Each cell is trained once per seed (`wslbench bench synthetic --seeds 0,1,2 --results
 * results/search`) and the seed whose best_localization checkpoint scored the highest few-shot PxAP on valpx is kept,
 * as a hyper-parameter search keeps its best trial (Choe et al. 2020 choose every hyper-parameter on valpx), among the
 * trials whose selected checkpoint classifies valcl above chance: a checkpoint whose classifier is at chance is not a
 * weakly-supervised classifier whatever its maps score (methods without a classifier, U-Net, are exempt; when no trial
 * qualifies, all compete). Test scores are never read. All seeds of a cell are selected on the same valpx images (the draw is fixed per fold).
 * A method that builds on another's classifier (NEGEV <- CAM) takes its prerequisite's seed: its run loads that
 * classifier's checkpoint, which exists for the chosen seed only.
 */
export const RestartTrial = z.object({
  seed: z.number().int(),
  /** valpx PxAP (%) of the trial's best_localization epoch; null when the trial failed. */
  valpx: z.number().nullable(),
  /** valcl accuracy (%) at that epoch; null when the trial failed. */
  valcl: z.number().nullable(),
});
export type RestartTrial = z.infer<typeof RestartTrial>;

export const RestartChoice = z.object({
  seed: z.number().int(),
  rule: z.enum(['best-valpx', 'best-valpx-none-classifies', 'prerequisite']),
  trials: z.array(RestartTrial),
});
export type RestartChoice = z.infer<typeof RestartChoice>;

export const RestartsFile = z.object({
  schema: z.literal('wslbench/restarts@1'),
  criterion: z.string(),
  /** By cell name ({method}_{backbone}_{dataset}_f{fold}). */
  cells: z.record(z.string(), RestartChoice),
});
export type RestartsFile = z.infer<typeof RestartsFile>;

/** The versioned choice file that `npm run configs` applies. */
export const RESTARTS_FILE = fileURLToPath(new URL('../restarts.json', import.meta.url));

export const RESTARTS_CRITERION =
  'per cell, the seed with the highest valpx PxAP at its best_localization epoch (ties: the lowest seed) among the ' +
  'seeds whose classifier is above chance on valcl at that epoch (all seeds when none is; U-Net exempt); a method ' +
  'needing another method’s classifier takes that method’s seed';

/** The trial records of one cell, one per seed; a missing one is an error naming its file. */
export function readTrials(cell: Cell, seeds: readonly number[], searchDir: string): RestartTrial[] {
  return seeds.map((seed) => {
    const file = join(searchDir, resultPath({ ...cell.config, seed }));
    if (!existsSync(file))
      throw new Error(`${file}: no seed-${seed} trial of ${cell.name} (run the search for every seed first)`);
    const parsed = ResultRecord.safeParse(readJsonFile(file));
    if (!parsed.success) throw new Error(`${file}: not a valid result record (${parsed.error.issues[0]?.message})`);
    const differs = configDifference(cell.config, parsed.data.config);
    if (differs)
      throw new Error(`${file}: the trial ran with another ${differs} than ${cell.name}'s config (rerun the search)`);
    return { seed, ...validationView(parsed.data) };
  });
}

/** The training fields a trial must share with its cell (all but seed and results folder). */
const TRAINING_FIELDS = ['epochs', 'input', 'optimizer', 'selection', 'synth', 'encoderInit'] as const;

/** The first training field in which a trial's recorded config departs from the cell's (hp: the cell's keys only). */
export function configDifference(cell: RunConfig, recorded: Record<string, unknown>): string | null {
  for (const f of TRAINING_FIELDS) if (canonical(cell[f]) !== canonical(recorded[f])) return f;
  const hp = (recorded.hp ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(cell.hp)) if (canonical(v) !== canonical(hp[k])) return `hp.${k}`;
  return null;
}

/** JSON with object keys sorted, so that key order does not count as a difference. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

/**
 * Choose a seed for every cell that has trials in `searchDir` (cells with none keep their entry in `previous`, if
 * any: a search may cover only some methods). A cell whose trials all failed is an error.
 */
export function chooseRestarts(
  cells: readonly Cell[],
  seeds: readonly number[],
  searchDir: string,
  methods: ReadonlyMap<string, AnyMethod>,
  previous?: RestartsFile,
  /** Classes of the datasets (both synthetic presets are binary, as GlaS and CAMELYON16): chance = 100 / classes %. */
  classes = 2,
): RestartsFile {
  const searched = cells.filter((c) =>
    seeds.some((seed) => existsSync(join(searchDir, resultPath({ ...c.config, seed })))),
  );
  if (searched.length === 0) throw new Error(`${searchDir}: no trial of any cell for seeds ${seeds.join(',')}`);
  const out: RestartsFile = { schema: 'wslbench/restarts@1', criterion: RESTARTS_CRITERION, cells: {} };
  for (const [name, choice] of Object.entries(previous?.cells ?? {})) out.cells[name] = choice;
  const byKey = new Map(cells.map((c) => [keyOf(c.config.method, c), c]));
  // Independent cells first, so that a dependant finds its prerequisite's choice.
  const order = [...searched].sort((a, b) => Number(dependsOn(a, methods)) - Number(dependsOn(b, methods)));
  const ascending = [...seeds].sort((a, b) => a - b); // ties go to the lowest seed
  for (const cell of order) {
    const trials = readTrials(cell, ascending, searchDir);
    const from = methods.get(cell.config.method)?.requirements.classifierFrom;
    if (from) {
      const prerequisite = byKey.get(keyOf(from, cell));
      const seed = prerequisite ? out.cells[prerequisite.name]?.seed : undefined;
      if (seed === undefined) throw new Error(`${cell.name}: no chosen seed for its prerequisite ${from}`);
      out.cells[cell.name] = { seed, rule: 'prerequisite', trials };
      continue;
    }
    if (trials.every((t) => t.valpx === null))
      throw new Error(`${cell.name}: every trial failed (seeds ${seeds.join(',')})`);
    // The search's selection rule (grid's chooseTrial), with the seed as the trial id: ties go to the lowest seed.
    const { trial, rule } = chooseTrial(
      trials.map((t) => ({ trial: t.seed, view: { valpx: t.valpx, valcl: t.valcl } })),
      methods.get(cell.config.method)?.family === 'supervised',
      classes,
    );
    out.cells[cell.name] = { seed: trial, rule, trials };
  }
  return out;
}

export function readRestartsFile(file: string): RestartsFile | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = RestartsFile.safeParse(readJsonFile(file));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}

export function writeRestartsFile(file: string, restarts: RestartsFile): void {
  writeJsonAtomic(file, restarts);
}

function dependsOn(cell: Cell, methods: ReadonlyMap<string, AnyMethod>): boolean {
  return methods.get(cell.config.method)?.requirements.classifierFrom !== undefined;
}

function keyOf(method: string, c: Cell): string {
  return `${method}|${c.config.backbone}|${c.config.dataset}|${c.config.fold}`;
}
