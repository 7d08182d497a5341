import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type CellCommand,
  cellsToResume,
  chooseRunFolder,
  DEFAULT_QUEUE,
  type GridCell,
  gridStatus,
  type Manifest,
  mergeRunFolder,
  planManifest,
  prepareDatasets,
  queueCounts,
  readGridFile,
  readHeaderFile,
  readManifest,
  readValidResult,
  recordedSlurmJobs,
  runLocal,
  sharedFilesystemWarning,
  slurmActive,
  submitBullmq,
  submitSlurm,
  waitSlurm,
  writeManifest,
} from '@wslbench/grid';
import { writeReport } from '@wslbench/report';
import type { Command } from 'commander';

export const positiveInt = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer, got '${v}'`);
  return n;
};
export const listOption = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** This very CLI, as a child command line (absolute, so Slurm scripts and workers run it from anywhere). */
export function cellCommand(backend?: string): CellCommand {
  const main = process.argv[1];
  if (!main) throw new Error('cannot tell the path of the wslbench entry point');
  return [process.execPath, resolve(main), ...(backend ? ['--backend', backend] : [])];
}

const out = (s: string) => process.stdout.write(`${s}\n`);

interface ExecFlags {
  run: string;
  executor: string;
  jobs?: string;
  gpus?: string;
  sbatchHeader?: string;
  throttle?: string;
  maxArray?: string;
  dryRun?: boolean;
  wait?: boolean;
  redis?: string;
  queue: string;
  attempts: string;
}

function withExecutorOptions(c: Command): Command {
  return c
    .requiredOption('--run <dir>', 'run folder')
    .option('--executor <name>', 'local | slurm | bullmq', 'local')
    .option('--jobs <n>', 'local: cells at a time (default: one per GPU, else 1)')
    .option('--gpus <ids>', 'local: GPU ids, one slot each (CUDA_VISIBLE_DEVICES)')
    .option('--sbatch-header <file>', 'slurm: lines for the job script (partition, --gres, time, module load...)')
    .option('--throttle <n>', 'slurm: array tasks running at once (%N)')
    .option('--max-array <n>', 'slurm: cells per array job (default: the cluster MaxArraySize)')
    .option('--dry-run', 'slurm: write the scripts and print the sbatch commands only')
    .option('--wait', 'slurm: return when the submitted jobs have left the queue')
    .option('--redis <url>', 'bullmq: Redis URL')
    .option('--queue <name>', 'bullmq: queue name', DEFAULT_QUEUE)
    .option('--attempts <n>', 'bullmq: attempts per cell', '2');
}

async function execute(
  runDir: string,
  manifest: Manifest,
  cells: GridCell[],
  f: ExecFlags,
  backend?: string,
): Promise<void> {
  if (cells.length === 0) {
    out('nothing to run: every cell has a valid result');
    return;
  }
  const command = cellCommand(backend);
  out(`preparing datasets: ${(await prepareDatasets(cells)).join(', ')}`);
  if (f.executor === 'local') {
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    const s = await runLocal(runDir, manifest, cells, {
      command,
      ...(f.jobs ? { jobs: positiveInt('jobs', f.jobs) } : {}),
      ...(f.gpus ? { gpus: listOption(f.gpus) } : {}),
      signal: controller.signal,
      log: out,
    });
    out(`local: ${s.ok.length} ok, ${s.failed.length} failed, ${s.blocked.length} blocked`);
    if (s.failed.length || s.blocked.length) process.exitCode = 1;
  } else if (f.executor === 'slurm') {
    const warn = sharedFilesystemWarning(runDir);
    if (warn) process.stderr.write(`${warn}\n`);
    const r = submitSlurm(runDir, manifest, cells, {
      command,
      ...(f.sbatchHeader ? { header: readHeaderFile(f.sbatchHeader) } : {}),
      ...(f.throttle ? { throttle: positiveInt('throttle', f.throttle) } : {}),
      ...(f.maxArray ? { maxArray: positiveInt('max-array', f.maxArray) } : {}),
      dryRun: f.dryRun === true,
    });
    for (const c of r.commands) out(`${f.dryRun ? '(dry run) ' : ''}${c}`);
    out(`slurm: ${cells.length} cells in ${r.plan.chunks.length} array job(s), scripts in ${r.plan.dir}`);
    if (!f.dryRun) out(`job ids: ${r.submission.jobs.map((j) => j.jobId).join(' ')}`);
    if (f.wait && !f.dryRun) await waitSlurm(r.submission.jobs.map((j) => j.jobId));
  } else if (f.executor === 'bullmq') {
    if (!f.redis) throw new Error('--executor bullmq needs --redis URL');
    const counts = await submitBullmq(runDir, cells, {
      redis: f.redis,
      queue: f.queue,
      attempts: positiveInt('attempts', f.attempts),
    });
    out(
      `bullmq: ${counts.added} added, ${counts.retried} retried, ${counts.alreadyQueued} already queued (queue '${f.queue}')`,
    );
  } else throw new Error(`--executor: expected local | slurm | bullmq, got '${f.executor}'`);
}

export function registerGridCommand(program: Command): void {
  const grid = program
    .command('grid')
    .description('grids of cells on one machine, a Slurm cluster or a BullMQ worker pool');
  const backendOf = (cmd: Command) => (cmd.optsWithGlobals() as { backend?: string }).backend;

  grid
    .command('plan <gridFile>')
    .description('expand a grid file into a frozen manifest of cells in a run folder')
    .requiredOption('--out <dir>', 'run folder')
    .action((file: string, o: { out: string }) => {
      const manifest = planManifest(readGridFile(file), `grid file ${file}`);
      mkdirSync(o.out, { recursive: true });
      const { written } = writeManifest(o.out, manifest);
      const trials = manifest.cells.filter((c) => c.role === 'trial').length;
      out(
        `${written ? 'planned' : 'already planned'}: ${manifest.cells.length} cells${trials ? ` (${trials} search trials)` : ''} in ${resolve(o.out)}`,
      );
    });

  withExecutorOptions(
    grid.command('run').description('run every cell without a valid result on this machine (--executor local)'),
  ).action(async (f: ExecFlags, cmd: Command) => {
    const manifest = readManifest(f.run);
    const todo = manifest.cells.filter((c) => !readValidResult(resolve(f.run), c));
    await execute(resolve(f.run), manifest, todo, f, backendOf(cmd));
  });

  withExecutorOptions(
    grid.command('submit').description('submit every cell without a valid result to Slurm or a BullMQ queue'),
  ).action(async (f: ExecFlags, cmd: Command) => {
    if (f.executor === 'local') throw new Error("grid submit: use 'grid run' for --executor local");
    const manifest = readManifest(f.run);
    const todo = manifest.cells.filter((c) => !readValidResult(resolve(f.run), c));
    await execute(resolve(f.run), manifest, todo, f, backendOf(cmd));
  });

  withExecutorOptions(
    grid.command('resume').description('resubmit the cells that lack a valid result (status from the run folder only)'),
  ).action(async (f: ExecFlags, cmd: Command) => {
    const manifest = readManifest(f.run);
    const todo = cellsToResume(resolve(f.run), manifest);
    out(`resume: ${todo.length} of ${manifest.cells.length} cells lack a valid result`);
    await execute(resolve(f.run), manifest, todo, f, backendOf(cmd));
  });

  grid
    .command('status')
    .description('ok / failed / running / missing counts from the run folder (plus queue or squeue counts)')
    .requiredOption('--run <dir>', 'run folder')
    .option('--redis <url>', 'also show the BullMQ queue counts')
    .option('--queue <name>', 'queue name', DEFAULT_QUEUE)
    .option('--json', 'print JSON')
    .action(async (o: { run: string; redis?: string; queue: string; json?: boolean }) => {
      const runDir = resolve(o.run);
      const manifest = readManifest(runDir);
      const s = gridStatus(runDir, manifest);
      const engine: Record<string, unknown> = {};
      if (o.redis) engine.bullmq = await queueCounts(o.redis, o.queue);
      const jobs = recordedSlurmJobs(runDir);
      if (jobs.length) {
        try {
          engine.slurmActiveTasks = slurmActive(jobs).length;
        } catch {
          engine.slurmActiveTasks = 'squeue unavailable';
        }
      }
      if (o.json) {
        out(
          JSON.stringify(
            {
              counts: s.counts,
              engine,
              cells: s.cells.map((c) => ({ id: c.cell.id, state: c.state, lost: c.lost, detail: c.detail })),
            },
            null,
            2,
          ),
        );
        return;
      }
      out(
        `${runDir}: ${manifest.cells.length} cells: ${s.counts.ok} ok, ${s.counts.failed} failed, ${s.counts.running} running, ${s.counts.missing} missing`,
      );
      for (const c of s.cells)
        if (c.state !== 'ok')
          out(
            `  ${c.state}${c.lost ? ' (lost: its process is gone)' : ''} ${c.cell.id}${c.detail ? `: ${c.detail}` : ''}`,
          );
      if (Object.keys(engine).length) out(`engine (informational, not trusted for status): ${JSON.stringify(engine)}`);
    });

  grid
    .command('merge')
    .description('leaderboard (and records for `wslbench report`) of the final cells, from the run folder')
    .requiredOption('--run <dir>', 'run folder')
    .option('--partial', 'write the leaderboard even when cells are missing (they are listed)')
    .option('--report', 'also write the HTML report of the merged records to <run>/report')
    .action(async (o: { run: string; partial?: boolean; report?: boolean }) => {
      const runDir = resolve(o.run);
      const m = mergeRunFolder(runDir, readManifest(runDir), { partial: o.partial === true });
      out(m.leaderboardMd);
      out(`wrote ${m.files.markdown}, ${m.files.json}; records for 'wslbench report --results ${m.files.runs}'`);
      if (o.report) out(`report: ${await writeReport(m.files.runs, join(runDir, 'report'))}`);
      if (!m.complete) process.exitCode = 1;
    });

  grid
    .command('choose')
    .description('choose each searched configuration on valpx (never test) and add its final cells to the manifest')
    .requiredOption('--run <dir>', 'run folder')
    .option('--out <file>', 'versioned search file to merge the choice into (e.g. benchmarks/synthetic/search.json)')
    .option('--classes <n>', 'classes of the datasets (chance level on valcl = 100 / n %)', '2')
    .action((o: { run: string; out?: string; classes: string }) => {
      const runDir = resolve(o.run);
      const { search, added } = chooseRunFolder(runDir, readManifest(runDir), {
        ...(o.out ? { out: o.out } : {}),
        classes: positiveInt('classes', o.classes),
      });
      for (const [key, c] of Object.entries(search.keys))
        out(
          `${key}: trial ${c.trial} (${c.rule}) ${JSON.stringify(c.values)}; valpx ${c.trials.map((t) => t.valpx?.toFixed(2) ?? 'failed').join(' / ')}`,
        );
      out(`added ${added.length} final cells to the manifest; run them with 'wslbench grid run|submit --run ${o.run}'`);
    });
}
