import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { writeJsonAtomic } from '@wslbench/core';
import type { GridCell } from './manifest.js';
import { attemptsSoFar, errorFile, readError, readValidResult, writeError } from './run-folder.js';

/** How to start `wslbench cell` in a child process: e.g. [process.execPath, '/path/to/cli/dist/main.js']. */
export type CellCommand = readonly string[];

export interface ChildOutcome {
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

const TAIL_CHARS = 4000;

/**
 * Run `wslbench cell --run DIR --id ID` as a child in its own process group (so a stop ends everything it started),
 * told to exit when its parent dies (WSLBENCH_CELL_PARENT_PID). Success is decided from the run folder, not from
 * the exit code; on failure the stderr tail is added to error.json (which is written here if the child died
 * before it could write one).
 */
export function spawnCell(
  command: CellCommand,
  runDir: string,
  cell: GridCell,
  opts: { executor: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal; onStderr?: (chunk: string) => void },
): Promise<ChildOutcome> {
  const [bin, ...pre] = command;
  if (!bin) throw new Error('spawnCell: empty cell command');
  const dir = resolve(runDir);
  const child = spawn(bin, [...pre, 'cell', '--run', dir, '--id', cell.id, '--executor', opts.executor], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...opts.env, WSLBENCH_CELL_PARENT_PID: String(process.pid) },
  });
  let tail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    tail = (tail + s).slice(-TAIL_CHARS);
    opts.onStderr?.(s);
  });
  const stop = () => {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  opts.signal?.addEventListener('abort', stop, { once: true });
  return new Promise((done, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', stop);
      const ok = readValidResult(dir, cell) !== null;
      if (!ok && !opts.signal?.aborted) {
        const e = readError(dir, cell.id);
        if (e) writeJsonAtomic(errorFile(dir, cell.id), { ...e, stderrTail: tail });
        else
          writeError(dir, cell, {
            executor: opts.executor,
            attempt: attemptsSoFar(dir, cell.id) + 1,
            message: `the cell process ended (${signal ? `signal ${signal}` : `exit code ${code}`}) without a result or an error file`,
            stderrTail: tail,
          });
      }
      done({ ok, code, signal, stderrTail: tail });
    });
  });
}
