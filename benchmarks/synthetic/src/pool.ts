import { fork } from 'node:child_process';

/** One unit of work: a training cell. `after` lists ids that must have finished (successfully) first. */
export interface Job<P> {
  id: string;
  payload: P;
  after: string[];
}

export interface JobOutcome {
  id: string;
  ok: boolean;
  seconds: number;
  message?: string;
}

export interface PoolEvents {
  onStart?(id: string, worker: number): void;
  onDone?(outcome: JobOutcome, done: number, total: number): void;
  /** Lines the workers print on stdout/stderr. */
  onLine?(worker: number, line: string): void;
  /** Any other IPC message of a worker (e.g. per-epoch progress). */
  onMessage?(worker: number, message: any): void;
}

/**
 * Runs jobs in `workers` persistent child processes (one per core: the wasm backend is single-threaded), in order,
 * respecting `after` dependencies. A job whose dependency failed is reported failed without running.
 */
export async function runPool<P>(
  workerScript: string,
  jobs: Job<P>[],
  workers: number,
  events: PoolEvents = {},
  signal?: AbortSignal,
): Promise<JobOutcome[]> {
  const pending = jobs.slice();
  const status = new Map<string, 'ok' | 'failed'>();
  const outcomes: JobOutcome[] = [];
  const known = new Set(jobs.map((j) => j.id));
  let done = 0;

  const nextRunnable = (): Job<P> | undefined => {
    for (let i = 0; i < pending.length; i++) {
      const j = pending[i]!;
      const deps = j.after.filter((d) => known.has(d));
      if (deps.some((d) => status.get(d) === 'failed')) {
        pending.splice(i, 1);
        const o = {
          id: j.id,
          ok: false,
          seconds: 0,
          message: `dependency failed: ${deps.filter((d) => status.get(d) === 'failed').join(', ')}`,
        };
        status.set(j.id, 'failed');
        outcomes.push(o);
        done += 1;
        events.onDone?.(o, done, jobs.length);
        return nextRunnable();
      }
      if (deps.every((d) => status.get(d) === 'ok')) {
        pending.splice(i, 1);
        return j;
      }
    }
    return undefined;
  };

  const runWorker = (index: number) =>
    new Promise<void>((resolve) => {
      const child = fork(workerScript, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      let current: { job: Job<P>; start: number } | undefined;
      const pipe = (stream: NodeJS.ReadableStream | null) => {
        let buf = '';
        stream?.on('data', (d: Buffer) => {
          buf += d.toString();
          let k = buf.indexOf('\n');
          while (k >= 0) {
            events.onLine?.(index, buf.slice(0, k));
            buf = buf.slice(k + 1);
            k = buf.indexOf('\n');
          }
        });
      };
      pipe(child.stdout);
      pipe(child.stderr);
      const abort = () => child.kill('SIGINT');
      signal?.addEventListener('abort', abort, { once: true });

      const dispatch = () => {
        if (signal?.aborted) return child.send({ type: 'exit' });
        const job = nextRunnable();
        if (!job) {
          // Nothing runnable now: either all done, or waiting on another worker's dependency.
          if (pending.length === 0) return child.send({ type: 'exit' });
          return setTimeout(dispatch, 200);
        }
        current = { job, start: Date.now() };
        events.onStart?.(job.id, index);
        child.send({ type: 'job', id: job.id, payload: job.payload });
      };

      child.on('message', (msg: { type: string; ok?: boolean; message?: string }) => {
        if (msg.type === 'ready') return dispatch();
        if (msg.type !== 'result') return events.onMessage?.(index, msg);
        if (msg.type === 'result' && current) {
          const o: JobOutcome = {
            id: current.job.id,
            ok: !!msg.ok,
            seconds: (Date.now() - current.start) / 1000,
            message: msg.message,
          };
          status.set(o.id, o.ok ? 'ok' : 'failed');
          outcomes.push(o);
          done += 1;
          events.onDone?.(o, done, jobs.length);
          current = undefined;
          dispatch();
        }
      });
      child.on('exit', (code) => {
        signal?.removeEventListener('abort', abort);
        if (current) {
          const o: JobOutcome = {
            id: current.job.id,
            ok: false,
            seconds: (Date.now() - current.start) / 1000,
            message: `worker exited with code ${code}`,
          };
          status.set(o.id, 'failed');
          outcomes.push(o);
          done += 1;
          events.onDone?.(o, done, jobs.length);
        }
        // A crashed worker takes only its current cell down; the other workers drain the queue.
        resolve();
      });
    });

  await Promise.all(Array.from({ length: Math.max(1, workers) }, (_, i) => runWorker(i)));
  if (!signal?.aborted)
    for (const j of pending.splice(0))
      outcomes.push({ id: j.id, ok: false, seconds: 0, message: 'not run: every worker exited' });
  return outcomes;
}
