import { resolve } from 'node:path';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { findCell, type GridCell, readManifest } from './manifest.js';
import { readError, readValidResult } from './run-folder.js';
import { type CellCommand, spawnCell } from './spawn-cell.js';

/** The job: which cell of which run folder (the folder must be reachable from every worker at the same path). */
export interface CellJobData {
  runDir: string;
  id: string;
}

export const DEFAULT_QUEUE = 'wslbench';

/** Workers need maxRetriesPerRequest null (BullMQ blocks on Redis); the queue side fails fast instead. */
export function redisConnection(url: string, worker: boolean): Redis {
  if (!/^rediss?:\/\//.test(url)) throw new Error(`--redis: expected a redis:// URL, got '${url}'`);
  return new Redis(url, { maxRetriesPerRequest: worker ? null : 1, lazyConnect: false });
}

export interface BullmqSubmitOptions {
  redis: string;
  queue?: string;
  /** Attempts per cell (retries = attempts - 1). */
  attempts?: number;
  backoffMs?: number;
}

/**
 * Enqueue cells with jobId = cell id: submitting a cell already queued, running or done is a no-op. A cell being
 * resubmitted because it lacks a valid result, whose job already ended (failed, or completed without a result), is
 * retried / replaced.
 */
export async function submitBullmq(runDir: string, cells: readonly GridCell[], opts: BullmqSubmitOptions) {
  const connection = redisConnection(opts.redis, false);
  const queue = new Queue<CellJobData>(opts.queue ?? DEFAULT_QUEUE, { connection });
  const dir = resolve(runDir);
  const counts = { added: 0, retried: 0, alreadyQueued: 0 };
  try {
    const fresh: GridCell[] = [];
    for (const cell of cells) {
      const job = await queue.getJob(cell.id);
      if (!job) {
        fresh.push(cell);
        continue;
      }
      const state = await job.getState();
      if (state === 'failed') {
        await job.retry('failed');
        counts.retried++;
      } else if (state === 'completed') {
        await job.remove();
        fresh.push(cell);
      } else counts.alreadyQueued++;
    }
    await queue.addBulk(
      fresh.map((c) => ({
        name: 'cell',
        data: { runDir: dir, id: c.id },
        opts: {
          jobId: c.id,
          attempts: opts.attempts ?? 2,
          backoff: { type: 'fixed', delay: opts.backoffMs ?? 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
    counts.added = fresh.length;
    return counts;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export async function queueCounts(redis: string, queueName = DEFAULT_QUEUE): Promise<Record<string, number>> {
  const connection = redisConnection(redis, false);
  const queue = new Queue(queueName, { connection });
  try {
    return await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export interface WorkerOptions {
  redis: string;
  command: CellCommand;
  queue?: string;
  concurrency?: number;
  /** GPU ids handed to the cells in turn (CUDA_VISIBLE_DEVICES). */
  gpus?: readonly string[];
  /** Lock duration and stall check (ms): how soon a killed worker's cell is picked up by another. */
  lockMs?: number;
  /** Wait between checks for a prerequisite cell (ms). */
  dependencyPollMs?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * A worker: takes cells from the queue and runs each as a `wslbench cell` child process. A cell never runs inside
 * the worker's event loop: a CPU-bound cell there blocks the lock renewal, BullMQ declares it stalled and runs it
 * twice. A cell whose prerequisite has no result yet is put back (delayed) until it has one.
 */
export function startWorker(opts: WorkerOptions): { worker: Worker<CellJobData>; close: () => Promise<void> } {
  const connection = redisConnection(opts.redis, true);
  const log = opts.log ?? (() => {});
  const freeGpus = [...(opts.gpus ?? [])];
  const stop = new AbortController();
  const lockMs = opts.lockMs ?? 30_000;
  const lookup = new Queue<CellJobData>(opts.queue ?? DEFAULT_QUEUE, { connection });
  const processor = async (job: Job<CellJobData>, token?: string) => {
    const manifest = readManifest(job.data.runDir);
    const cell = findCell(manifest, { id: job.data.id });
    if (readValidResult(job.data.runDir, cell)) return { id: cell.id, status: 'ok', skipped: true };
    if (cell.dependsOn) {
      const dep = findCell(manifest, { id: cell.dependsOn });
      if (!readValidResult(job.data.runDir, dep)) {
        const depJob = await lookup.getJob(dep.id);
        const depFailed = depJob && (await depJob.getState()) === 'failed';
        if (depFailed || (!depJob && readError(job.data.runDir, dep.id)))
          throw new Error(`prerequisite ${dep.id} failed; ${cell.id} cannot start`);
        await job.moveToDelayed(Date.now() + (opts.dependencyPollMs ?? 2000), token);
        throw new DelayedError();
      }
    }
    const gpu = freeGpus.shift();
    log(`start ${cell.id} (attempt ${job.attemptsMade + 1})`);
    try {
      const o = await spawnCell(opts.command, job.data.runDir, cell, {
        executor: 'bullmq',
        env: { ...opts.env, ...(gpu !== undefined ? { CUDA_VISIBLE_DEVICES: gpu } : {}) },
        signal: stop.signal,
      });
      if (!o.ok) {
        const e = readError(job.data.runDir, cell.id);
        throw new Error(`${cell.id}: ${e?.message.split('\n')[0] ?? `exit ${o.code ?? o.signal}`}`);
      }
      log(`ok ${cell.id}`);
      const r = readValidResult(job.data.runDir, cell);
      return { id: cell.id, status: 'ok', testPxap: r?.record.test?.pxap ?? null };
    } finally {
      if (gpu !== undefined) freeGpus.push(gpu);
    }
  };
  const worker = new Worker<CellJobData>(opts.queue ?? DEFAULT_QUEUE, processor, {
    connection,
    concurrency: opts.concurrency ?? 1,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: 2,
  });
  worker.on('failed', (job, err) => log(`failed ${job?.id}: ${err.message}`));
  const close = async () => {
    stop.abort();
    await worker.close();
    await lookup.close();
    connection.disconnect();
  };
  return { worker, close };
}
