import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnyMethod, resultPath } from '@wslbench/core';
import { trainingIdOf } from '@wslbench/trainer';
import type { Cell } from './cells.js';
import type { Job } from './pool.js';

/**
 * `hp` with `reuseCamRun` set, when the method declares that hyper-parameter (the gradient CAMs: their classifier is
 * then CAM's training); undefined for every other method.
 */
export function reuseCamRunHp(
  method: AnyMethod | undefined,
  hp: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const out = { ...hp, reuseCamRun: true };
  return method?.hyperparams.safeParse(out).success ? out : undefined;
}

/**
 * Cells whose methods declare the `reuseCamRun` hyper-parameter (the gradient CAMs) get it set: their classifier is
 * then CAM's training, so the runner trains it once for every such cell at the same seed (see groupSharedTraining).
 */
export function withReuseCamRun(cells: Cell[], methods: ReadonlyMap<string, AnyMethod>): Cell[] {
  return cells.map((c) => {
    const hp = reuseCamRunHp(methods.get(c.config.method), c.config.hp);
    return hp ? { ...c, config: { ...c.config, hp } } : c;
  });
}

/**
 * Cells in groups that one training serves: the same training id (`trainingOf` under the cell's hp) and the same
 * config apart from method and hp (so the same seed, data, schedule and results folder). Order is kept: a group sits
 * where its first cell was. Every other cell is a group of one.
 */
export function groupSharedTraining(cells: Cell[], methods: ReadonlyMap<string, AnyMethod>): Cell[][] {
  const groups = new Map<string, Cell[][]>();
  const order: Cell[][] = [];
  for (const c of cells) {
    const m = methods.get(c.config.method);
    if (!m) throw new Error(`cell ${c.name}: method '${c.config.method}' is not registered`);
    const training = trainingIdOf(m, m.hyperparams.parse(c.config.hp) as Record<string, unknown>);
    const key = JSON.stringify([training, { ...c.config, method: '', hp: {} }]);
    const candidates = groups.get(key) ?? [];
    groups.set(key, candidates);
    // A method's hp may reach its own training: two cells of one method never share.
    const g = candidates.find((x) => !x.some((o) => o.config.method === c.config.method));
    if (g) g.push(c);
    else {
      candidates.push([c]);
      order.push(candidates.at(-1)!);
    }
  }
  return order;
}

/**
 * The pool's jobs for groups of cells: a group of one keeps its cell's job id, a shared group is one job named by its
 * cells joined with '+'; a dependency on any member (NEGEV on its CAM) becomes one on the member's group.
 */
export function groupJobs<P>(cellJobs: Job<Cell>[], groups: Cell[][], payload: (group: Cell[]) => P): Job<P>[] {
  const groupId = new Map<string, string>();
  for (const g of groups) for (const c of g) groupId.set(c.name, g.map((x) => x.name).join('+'));
  const afterOf = new Map(cellJobs.map((j) => [j.id, j.after]));
  const jobs = groups.map((g) => {
    const id = groupId.get(g[0]!.name)!;
    const after = new Set(g.flatMap((c) => (afterOf.get(c.name) ?? []).map((d) => groupId.get(d) ?? d)));
    after.delete(id);
    return { id, payload: payload(g), after: [...after] };
  });
  return jobs.sort((a, b) => a.after.length - b.after.length);
}

/**
 * Finished cells whose record was trained with other hyper-parameters than the cell now asks for (e.g. before
 * --reuse-cam-run): counting them as done would mix two trainings on one board.
 */
export function recordsWithOtherHp(
  cells: Cell[],
  resultsDir: string,
  methods: ReadonlyMap<string, AnyMethod>,
): string[] {
  const out: string[] = [];
  for (const c of cells) {
    const file = join(resultsDir, resultPath(c.config));
    const m = methods.get(c.config.method);
    if (!m || !existsSync(file)) continue;
    const recorded = (JSON.parse(readFileSync(file, 'utf8')) as { config?: { hp?: unknown } }).config?.hp ?? {};
    const want = JSON.stringify(m.hyperparams.parse(c.config.hp));
    const had = m.hyperparams.safeParse(recorded);
    if (!had.success || JSON.stringify(had.data) !== want) out.push(file);
  }
  return out;
}
