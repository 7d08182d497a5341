import { existsSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnyMethod, resultPath } from '@wslbench/core';
import {
  DEFAULT_RESULTS_DIR,
  defaultDataRoot,
  ensureSynthetic,
  preflightDataset,
  repoPath,
  type SynthPreset,
} from '@wslbench/data';
import { listMethods } from '@wslbench/registry';
import { openConfiguredDataset } from '@wslbench/trainer';
import { type Cell, cellDone, cellJobs, readCellConfigs } from './cells.js';
import { CPU_BACKBONES, DEFAULT_SEEDS, QUICK_EPOCHS, QUICK_SEEDS } from './grid.js';
import { type Job, type JobOutcome, runPool } from './pool.js';
import { pretrainedFile } from './pretrain.js';
import { groupJobs, groupSharedTraining, recordsWithOtherHp, withReuseCamRun } from './shared-training.js';
import type { WorkerMessage, WorkPayload } from './worker.js';

export interface SyntheticBenchmarkOptions {
  quick?: boolean;
  /** Parallel workers (default: one per core). */
  jobs?: number;
  resultsDir?: string;
  /** Only these method ids (default: every registered method that has configs). */
  methods?: string[];
  retryFailed?: boolean;
  /** Train every cell once per seed (default: DEFAULT_SEEDS, QUICK_SEEDS with quick). */
  seeds?: number[];
  /**
   * Train every cell once, at the seed its config names (the restart search's choice on valpx, restarts.json):
   * the former single-seed board. Not with `seeds`.
   */
  restartSeeds?: boolean;
  configsDir?: string;
  /**
   * Train the gradient CAMs as CAM (hp reuseCamRun): cells of one training (same backbone, dataset, fold and seed)
   * are trained once, each method still selecting its own epoch on its own maps.
   */
  reuseCamRun?: boolean;
  write?: (line: string) => void;
  signal?: AbortSignal;
}

export const DEFAULT_CONFIGS_DIR = fileURLToPath(new URL('../configs', import.meta.url));

/** Quick mode: one backbone, fewer epochs, results kept apart from the full run's. */
export function applyQuick(cells: Cell[], resultsDir: string): Cell[] {
  return cells
    .filter((c) => c.config.backbone === CPU_BACKBONES[2])
    .map((c) => ({
      ...c,
      config: withResultsDir({ ...c.config, epochs: Math.min(c.config.epochs, QUICK_EPOCHS) }, resultsDir),
    }));
}

/** A comma-separated seed list (`0,1,2`) as typed on a command line; `what` names it in the error. */
export function parseSeedList(list: string, what = '--seeds'): number[] {
  return list.split(',').map((s) => {
    const t = s.trim();
    if (!/^\d+$/.test(t)) throw new Error(`${what}: '${t}' is not a non-negative integer`);
    return Number(t);
  });
}

/** One cell per seed and cell (named `<cell>_s<seed>`); a dependant's seed-s run uses its prerequisite's seed-s run. */
export function atSeeds(cells: Cell[], seeds: readonly number[]): Cell[] {
  const bad = seeds.find((s) => !Number.isInteger(s) || s < 0);
  if (bad !== undefined) throw new Error(`--seeds: '${bad}' is not a non-negative integer`);
  if (new Set(seeds).size !== seeds.length) throw new Error(`--seeds: ${seeds.join(',')} repeats a seed`);
  return cells.flatMap((c) => seeds.map((seed) => ({ name: `${c.name}_s${seed}`, config: { ...c.config, seed } })));
}

/** Point a cell at a results folder. */
export function withResultsDir(config: Cell['config'], resultsDir: string): Cell['config'] {
  return { ...config, resultsDir };
}

const clock = (s: number) => {
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
};

export interface BenchmarkRun {
  outcomes: JobOutcome[];
  resultsDir: string;
  /** The cells this run was asked for (after --methods). */
  cells: Cell[];
  /**
   * The record files of the benchmark's board, relative to resultsDir: every configured cell of every method at each
   * of the board's seeds (or at its config's seed with restartSeeds). Records of other seeds are not on it.
   */
  boardFiles: Set<string>;
}

/** Generate the data if absent, then train every cell without a result, one worker per core. */
export async function runSyntheticBenchmark(opts: SyntheticBenchmarkOptions = {}): Promise<BenchmarkRun> {
  const write = opts.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  const baseResults = opts.resultsDir ? resolve(opts.resultsDir) : DEFAULT_RESULTS_DIR;
  const resultsDir = opts.quick ? join(baseResults, 'quick') : baseResults;
  const registered = new Map<string, AnyMethod>(listMethods().map((m) => [m.id, m]));
  let all = readCellConfigs(opts.configsDir ?? DEFAULT_CONFIGS_DIR)
    .filter((c) => registered.has(c.config.method))
    .map((c) => ({ ...c, config: withResultsDir(c.config, resultsDir) }));
  if (opts.quick) all = applyQuick(all, resultsDir);
  if (opts.restartSeeds && opts.seeds?.length) throw new Error('--restart-seeds and --seeds exclude each other');
  if (!opts.restartSeeds)
    all = atSeeds(all, opts.seeds?.length ? opts.seeds : opts.quick ? QUICK_SEEDS : DEFAULT_SEEDS);
  if (opts.reuseCamRun) all = withReuseCamRun(all, registered);
  const boardFiles = new Set(all.map((c) => resultPath(c.config)));
  let cells = all;
  if (opts.methods?.length) {
    const unknown = opts.methods.filter((m) => !registered.has(m));
    if (unknown.length) throw new Error(`--methods: unknown method(s) ${unknown.join(', ')}`);
    cells = all.filter((c) => opts.methods!.includes(c.config.method));
  }

  // Data first (deterministic from the seed; skipped when already generated with the same settings).
  const presets = new Map<string, NonNullable<Cell['config']['synth']>>();
  for (const c of cells) if (c.config.synth) presets.set(c.config.dataset, c.config.synth);
  for (const [preset, synth] of presets) {
    let last = 0;
    const { generated, dir, note } = await ensureSynthetic(preset as SynthPreset, join(dataRootOf(cells), preset), {
      size: synth.size,
      seed: synth.seed,
      magnification: synth.magnification,
      ...(synth.counts ? { counts: synth.counts } : {}),
      onProgress: (done, total) => {
        if (done === total || Date.now() - last > 2000) {
          last = Date.now();
          write(`[data] ${preset}: ${done}/${total} images`);
        }
      },
    });
    if (note) write(`[data] ${note}`);
    write(`[data] ${preset}: ${generated ? 'generated' : 'already present'} (${synth.size} px) in ${dir}`);
  }

  const extra = otherSeedRecords(boardFiles, resultsDir);
  if (extra.length)
    write(
      `[bench] note: ${extra.length} record(s) in ${resultsDir}/runs are at seeds the configs do not name ` +
        `(e.g. ${extra[0]}); the leaderboard leaves them out (wslbench report shows every record)`,
    );
  const otherHp = recordsWithOtherHp(cells, resultsDir, registered);
  if (otherHp.length)
    throw new Error(
      `${otherHp.length} record(s) in ${resultsDir} were trained with other hyper-parameters than their cell now asks ` +
        `for (e.g. ${otherHp[0]}${opts.reuseCamRun ? '; --reuse-cam-run' : ''}): use another --results folder`,
    );
  // Longest cells first (the U-Net bound trains UNET_EPOCHS): a long cell started last would leave a core idle.
  const todo = cells
    .filter((c) => !cellDone(c, resultsDir, opts.retryFailed === true))
    .sort((a, b) => b.config.epochs - a.config.epochs);
  write(`[bench] ${cells.length} cells, ${cells.length - todo.length} already done, ${todo.length} to run`);
  if (todo.length === 0) return { outcomes: [], resultsDir, cells, boardFiles };

  // Every split the remaining cells read, checked before the first cell: a bad file stops the bench naming it.
  const seen = new Set<string>();
  for (const c of todo) {
    const k = JSON.stringify([c.config.dataset, c.config.fold, c.config.synth ?? null, c.config.dataRoot ?? null]);
    if (seen.has(k)) continue;
    seen.add(k);
    const { rows, decoded } = await preflightDataset(await openConfiguredDataset(c.config));
    write(`[data] ${c.config.dataset} fold ${c.config.fold}: ${rows} images checked (${decoded} decoded)`);
  }

  const pretrainJobs = pretrainJobsFor(todo);
  if (pretrainJobs.length)
    write(`[bench] pretraining ${pretrainJobs.length} encoder(s) on the synthetic pretraining pool first`);
  const pretrainIds = new Set(pretrainJobs.map((j) => j.id));
  const workers = Math.min(opts.jobs ?? cpus().length, todo.length + pretrainJobs.length);
  // Cells x threads: the cores are shared out among the workers (torch's intra-op threads; wasm runs one thread
  // whatever). One single-threaded cell per core was the fastest split measured on 2 cores (benchmarks/synthetic
  // README). An explicit --threads / WSLBENCH_THREADS wins; the workers inherit it.
  process.env.WSLBENCH_THREADS ??= String(Math.max(1, Math.floor(cpus().length / workers)));
  write(`[bench] ${workers} worker(s) x ${process.env.WSLBENCH_THREADS} thread(s) each`);
  const cellWork = cellJobs(todo, registered, (c) =>
    c.config.encoderInit && pretrainIds.has(`pretrain_${c.config.backbone}`) ? [`pretrain_${c.config.backbone}`] : [],
  );
  // Cells of one training (reuseCamRun) run as one job: one training, a record per cell.
  const groups = groupSharedTraining(todo, registered);
  if (groups.length < todo.length)
    write(
      `[bench] ${todo.length} cells share ${groups.length} trainings (reuseCamRun: CAM's training serves the gradient CAMs)`,
    );
  const jobs: Job<WorkPayload>[] = [
    ...pretrainJobs,
    ...groupJobs<WorkPayload>(cellWork, groups, (g) =>
      g.length === 1 ? { kind: 'cell', cell: g[0]! } : { kind: 'group', cells: g },
    ),
  ];
  const started = Date.now();
  let finishedSeconds = 0;
  const outcomes = await runPool<WorkPayload>(
    fileURLToPath(new URL('./worker.js', import.meta.url)),
    jobs,
    workers,
    {
      onDone(o, done, total) {
        finishedSeconds += o.seconds;
        const elapsed = (Date.now() - started) / 1000;
        const eta = ((finishedSeconds / done) * (total - done)) / workers;
        write(
          `[bench] cell ${done}/${total} ${o.ok ? 'done' : 'FAILED'} ${o.id} in ${clock(o.seconds)}` +
            `${o.message ? ` (${o.message})` : ''} | elapsed ${clock(elapsed)}, ETA ${clock(eta)}`,
        );
      },
      onMessage(_w, m: WorkerMessage) {
        if (m.type === 'epoch') {
          const e = m.entry;
          write(
            `[cell] ${m.id} epoch ${e.epoch}/${m.epochs} loss ${e.trainLoss === null ? '-' : e.trainLoss.toFixed(3)} ` +
              `few-shot PxAP ${e.pxap.toFixed(1)} CL ${e.clAccuracy.toFixed(1)}`,
          );
        }
      },
      onLine(w, line) {
        if (line.trim()) write(`[worker ${w}] ${line}`);
      },
    },
    opts.signal,
  );
  return { outcomes, resultsDir, cells, boardFiles };
}

/**
 * Record files beside the board's (same method, backbone, dataset and fold) at seeds the board does not name, e.g. left
 * by an earlier seed choice. Paths relative to resultsDir, like the board's.
 */
export function otherSeedRecords(board: ReadonlySet<string>, resultsDir: string): string[] {
  const runOf = (file: string) => file.replace(/-s\d+\.json$/, '');
  const runs = new Set([...board].map(runOf));
  const out: string[] = [];
  for (const d of [...new Set([...board].map((f) => dirname(f)))].sort()) {
    if (!existsSync(join(resultsDir, d))) continue;
    for (const f of readdirSync(join(resultsDir, d)).sort()) {
      const p = `${d}/${f}`;
      if (/^f\d+-s\d+\.json$/.test(f) && !board.has(p) && runs.has(runOf(p))) out.push(p);
    }
  }
  return out;
}

/**
 * The pretrained encoder each cell starts from: shipped; pretrained first only when missing. Config paths are relative
 * to the repository (repoPath), so this holds from any working directory.
 */
export function pretrainJobsFor(todo: Cell[]): Job<WorkPayload>[] {
  const jobs: Job<WorkPayload>[] = [];
  for (const backbone of new Set(todo.filter((c) => c.config.encoderInit).map((c) => c.config.backbone))) {
    const file = todo.find((c) => c.config.backbone === backbone && c.config.encoderInit)!.config.encoderInit!.file;
    if (existsSync(repoPath(file))) continue;
    if (repoPath(file) !== resolve(pretrainedFile(backbone)))
      throw new Error(
        `${repoPath(file)}: missing pretrained encoder (only the default location is regenerated automatically)`,
      );
    jobs.push({ id: `pretrain_${backbone}`, payload: { kind: 'pretrain', backbone }, after: [] });
  }
  return jobs;
}

function dataRootOf(cells: Cell[]): string {
  const explicit = cells.find((c) => c.config.dataRoot)?.config.dataRoot;
  return explicit ? resolve(explicit) : defaultDataRoot();
}
