import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '@wslbench/core';
import type { GridCell, Manifest } from './manifest.js';
import { readValidResult } from './run-folder.js';
import type { CellCommand } from './spawn-cell.js';

/**
 * An array-job executor with a Slurm dialect: each array task reads its cell index from an index file (line
 * SLURM_ARRAY_TASK_ID + 1), so any subset of cells is submitted as a dense `--array=0-(n-1)%throttle`, chunked to
 * the cluster's MaxArraySize. Cells built on another cell's classifier (NEGEV) go in a second wave that starts after
 * the first (`--dependency=afterany`: the cell itself checks that its prerequisite has a valid result).
 */
export interface SlurmChunk {
  wave: 1 | 2;
  script: string;
  indexFile: string;
  indexes: number[];
}

export interface SlurmPlan {
  dir: string;
  chunks: SlurmChunk[];
}

export interface SlurmSubmitOptions {
  command: CellCommand;
  /** User lines after the generated #SBATCH lines: partition, account, --gres=gpu:1, time, module load... */
  header?: string;
  throttle?: number;
  maxArray?: number;
  jobName?: string;
}

/** The next free submission folder: slurm/sub-001, sub-002... (job ids are recorded, never used as keys). */
function nextSubmissionDir(runDir: string): string {
  const root = join(runDir, 'slurm');
  mkdirSync(root, { recursive: true });
  const n = readdirSync(root).filter((f) => /^sub-\d+$/.test(f)).length + 1;
  return join(root, `sub-${String(n).padStart(3, '0')}`);
}

const shellQuote = (s: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function renderSbatch(o: {
  runDir: string;
  indexFile: string;
  logDir: string;
  command: CellCommand;
  header?: string;
  jobName: string;
}): string {
  const header = (o.header ?? '').replace(/^#!.*\n/, '').trimEnd();
  const cmd = [...o.command, 'cell', '--run', o.runDir, '--index', '"$INDEX"', '--executor', 'slurm']
    .map((a) => (a === '"$INDEX"' ? a : shellQuote(a)))
    .join(' ');
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${o.jobName}`,
    `#SBATCH --output=${o.logDir}/%A_%a.out`,
    '#SBATCH --ntasks=1',
    ...(header ? [header] : []),
    'set -euo pipefail',
    `INDEX=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shellQuote(o.indexFile)})`,
    '[ -n "$INDEX" ] || { echo "no cell index for array task $SLURM_ARRAY_TASK_ID" >&2; exit 2; }',
    `exec ${cmd}`,
    '',
  ].join('\n');
}

/** Split cells into waves and chunks of at most `maxArray`, and write the scripts and index files. */
export function writeSlurmPlan(
  runDir: string,
  manifest: Manifest,
  cells: readonly GridCell[],
  opts: SlurmSubmitOptions,
): SlurmPlan {
  const abs = resolve(runDir);
  const maxArray = opts.maxArray ?? 1000;
  if (!Number.isInteger(maxArray) || maxArray < 1)
    throw new Error(`--max-array: expected a positive integer, got ${maxArray}`);
  const ids = new Set(cells.map((c) => c.id));
  const byId = new Map(manifest.cells.map((c) => [c.id, c]));
  // Wave 2: cells whose prerequisite is submitted with them or is not done yet.
  const second = (c: GridCell) =>
    c.dependsOn !== null && (ids.has(c.dependsOn) || !readValidResult(abs, byId.get(c.dependsOn) as GridCell));
  const dir = nextSubmissionDir(abs);
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const chunks: SlurmChunk[] = [];
  for (const wave of [1, 2] as const) {
    const inWave = cells.filter((c) => (wave === 2) === second(c)).map((c) => c.index);
    for (let k = 0; k * maxArray < inWave.length; k++) {
      const indexes = inWave.slice(k * maxArray, (k + 1) * maxArray);
      const name = `wave${wave}-chunk${k}`;
      const indexFile = join(dir, `${name}.idx`);
      const script = join(dir, `${name}.sbatch`);
      writeFileSync(indexFile, `${indexes.join('\n')}\n`);
      writeFileSync(
        script,
        renderSbatch({
          runDir: abs,
          indexFile,
          logDir,
          command: opts.command,
          ...(opts.header ? { header: opts.header } : {}),
          jobName: opts.jobName ?? 'wslbench',
        }),
      );
      chunks.push({ wave, script, indexFile, indexes });
    }
  }
  return { dir, chunks };
}

/** The sbatch command line of each chunk (wave-2 chunks depend on every wave-1 job id). */
export function sbatchArgs(chunk: SlurmChunk, throttle: number | undefined, waveOneJobs: readonly string[]): string[] {
  const array = `0-${chunk.indexes.length - 1}${throttle ? `%${throttle}` : ''}`;
  const dep = chunk.wave === 2 && waveOneJobs.length ? [`--dependency=afterany:${waveOneJobs.join(':')}`] : [];
  return ['--parsable', `--array=${array}`, ...dep, chunk.script];
}

export interface SlurmSubmission {
  at: string;
  dir: string;
  jobs: { jobId: string; wave: number; script: string; cells: number }[];
}

/** MaxArraySize of the cluster (`scontrol show config`); array indices must stay below it. */
export function clusterMaxArraySize(): number {
  const out = execFileSync('scontrol', ['show', 'config'], { encoding: 'utf8' });
  const m = /^MaxArraySize\s*=\s*(\d+)/m.exec(out);
  return m ? Number(m[1]) : 1001;
}

export function submitSlurm(
  runDir: string,
  manifest: Manifest,
  cells: readonly GridCell[],
  opts: SlurmSubmitOptions & { dryRun?: boolean },
) {
  const maxArray = opts.maxArray ?? (opts.dryRun ? 1000 : clusterMaxArraySize());
  const plan = writeSlurmPlan(runDir, manifest, cells, { ...opts, maxArray });
  const waveOne: string[] = [];
  const submission: SlurmSubmission = { at: new Date().toISOString(), dir: plan.dir, jobs: [] };
  const commands: string[] = [];
  for (const chunk of plan.chunks) {
    const args = sbatchArgs(chunk, opts.throttle, chunk.wave === 2 ? waveOne : []);
    commands.push(['sbatch', ...args].join(' '));
    if (opts.dryRun) continue;
    const jobId = execFileSync('sbatch', args, { encoding: 'utf8' }).trim().split(';')[0] as string;
    if (!/^\d+$/.test(jobId)) throw new Error(`sbatch ${args.join(' ')}: unexpected output '${jobId}'`);
    if (chunk.wave === 1) waveOne.push(jobId);
    submission.jobs.push({ jobId, wave: chunk.wave, script: chunk.script, cells: chunk.indexes.length });
  }
  if (!opts.dryRun) {
    const file = join(resolve(runDir), 'slurm', 'submissions.json');
    const previous = existsSync(file) ? (readJsonFile(file) as SlurmSubmission[]) : [];
    writeJsonAtomic(file, [...previous, submission]);
  } else writeFileAtomic(join(plan.dir, 'DRY-RUN'), `${commands.join('\n')}\n`);
  return { plan, submission, commands };
}

/** Job ids of every submission recorded in the run folder. */
export function recordedSlurmJobs(runDir: string): string[] {
  const file = join(resolve(runDir), 'slurm', 'submissions.json');
  if (!existsSync(file)) return [];
  return (readJsonFile(file) as SlurmSubmission[]).flatMap((s) => s.jobs.map((j) => j.jobId));
}

/** Array tasks of these jobs still pending or running (squeue; empty when they all ended). */
export function slurmActive(jobIds: readonly string[]): string[] {
  if (jobIds.length === 0) return [];
  const out = execFileSync('squeue', ['-h', '-j', jobIds.join(','), '-o', '%i %T'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '');
}

export async function waitSlurm(jobIds: readonly string[], pollMs = 500, signal?: AbortSignal): Promise<void> {
  while (!signal?.aborted && slurmActive(jobIds).length > 0) await new Promise((r) => setTimeout(r, pollMs));
}

/** Slurm reads the run folder from every node: a node-local path (/tmp, /dev/shm...) only works on one machine. */
export function sharedFilesystemWarning(runDir: string): string | null {
  const abs = resolve(runDir);
  if (/^\/(tmp|var\/tmp|dev\/shm|run)(\/|$)/.test(abs))
    return `warning: ${abs} is on a node-local path; on a cluster the run folder must be on a filesystem every node mounts`;
  try {
    const type = execFileSync('stat', ['-f', '-c', '%T', abs], { encoding: 'utf8' }).trim();
    if (type === 'tmpfs' || type === 'ramfs') return `warning: ${abs} is on ${type}, which other nodes cannot see`;
  } catch {
    // stat -f unavailable: no check
  }
  return null;
}

export function readHeaderFile(file: string): string {
  if (!existsSync(file)) throw new Error(`--sbatch-header ${file}: not found`);
  return readFileSync(file, 'utf8');
}
