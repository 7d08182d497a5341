import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '@wslbench/core';
import type { GridCell } from './manifest.js';
import { attemptsSoFar, cellDir, errorFile, readError, readValidResult, writeError } from './run-folder.js';

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
  // Every attempt's output is appended to results/<id>/cell.log (Slurm keeps its own log per array task).
  mkdirSync(cellDir(dir, cell.id), { recursive: true });
  const logFile = join(cellDir(dir, cell.id), 'cell.log');
  appendFileSync(logFile, `--- ${new Date().toISOString()} ${opts.executor} on ${hostname()}\n`);
  const logFd = openSync(logFile, 'a');
  let logOpen = true;
  const closeLog = () => {
    if (logOpen) closeSync(logFd);
    logOpen = false;
  };
  const child = spawn(bin, [...pre, 'cell', '--run', dir, '--id', cell.id, '--executor', opts.executor], {
    detached: true,
    stdio: ['ignore', logFd, 'pipe'],
    env: { ...process.env, ...opts.env, WSLBENCH_CELL_PARENT_PID: String(process.pid) },
  });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    tail = (tail + s).slice(-TAIL_CHARS);
    appendFileSync(logFile, s);
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
    child.on('error', (e) => {
      closeLog();
      reject(e);
    });
    child.on('close', (code, signal) => {
      closeLog();
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
