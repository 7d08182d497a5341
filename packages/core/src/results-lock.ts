import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Who writes a results folder: one process at a time (records, checkpoints, leaderboards). */
export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export interface LockOptions {
  /** Wait for the holder to finish instead of refusing. */
  wait?: boolean;
  pollMs?: number;
  /** Notes: a stale lock taken over, waiting for a holder. */
  log?: (line: string) => void;
  command?: string;
}

export const LOCK_FILE = '.wslbench.lock';

/** Whether a process of this host runs (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined; // removed meanwhile, or being written
  }
}

const describe = (h: LockHolder) => `PID ${h.pid} on ${h.host} since ${h.started} (${h.command})`;

/**
 * Take the lock of a results folder: `<dir>/.wslbench.lock` holds the writer's PID and host. A second writer refuses
 * naming the holder (or waits, `wait`); a lock whose process is gone on this host is taken over with a note; one of
 * another host is never judged stale (its PID cannot be checked from here). Returns the release function (also run at
 * process exit).
 */
export async function acquireResultsLock(dir: string, opts: LockOptions = {}): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const file = join(resolve(dir), LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    command: opts.command ?? process.argv.slice(1).join(' '),
  };
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let waited = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(file);
    if (holder && holder.host === me.host && holder.pid !== me.pid && !processAlive(holder.pid)) {
      log(`[lock] ${dir}: taking over the stale lock of ${describe(holder)}: that process is gone`);
      try {
        unlinkSync(file);
      } catch {
        // another process took it over first: retry
      }
      continue;
    }
    if (!opts.wait) {
      throw new Error(
        `${dir} is in use by ${holder ? describe(holder) : 'another process'} (lock file ${file}); ` +
          'wait for it to finish or pass --wait',
      );
    }
    if (!waited && holder) log(`[lock] ${dir}: waiting for ${describe(holder)}`);
    waited = true;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
  }
  const swept = removeLeftoverTemps(dir);
  if (swept.length)
    log(`[lock] ${dir}: removed ${swept.length} temporary file(s) of interrupted writes, e.g. ${swept[0]}`);
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readHolder(file)?.pid === me.pid) unlinkSync(file);
  };
  process.on('exit', release);
  return release;
}

/**
 * `*.tmp-<pid>-<ms>` files (writeFileAtomic's) under `runs/` and `checkpoints/`: a writer killed between write and
 * rename leaves one. Called by the lock holder, so no live writer owns any of them.
 */
export function removeLeftoverTemps(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tmp-\d+-\d+$/.test(e.name)) {
        unlinkSync(p);
        out.push(p);
      }
    }
  };
  for (const sub of ['runs', 'checkpoints']) if (existsSync(join(dir, sub))) walk(join(dir, sub));
  return out;
}
