import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireResultsLock, LOCK_FILE } from './results-lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wsl-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const holder = (pid: number, host = hostname()) =>
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host, started: '2026-01-01T00:00:00Z', command: 'bench' }));

describe('results folder lock', () => {
  test('holds PID and host; a second writer is refused naming the holder; released at the end', async () => {
    const release = await acquireResultsLock(dir, { command: 'wslbench bench synthetic' });
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ pid: process.pid, host: hostname(), command: 'wslbench bench synthetic' });
    await expect(acquireResultsLock(dir)).rejects.toThrow(
      `${dir} is in use by PID ${process.pid} on ${hostname()} since ${lock.started} (wslbench bench synthetic)`,
    );
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    (await acquireResultsLock(dir))();
  });

  test('a live holder of this host (another process) is waited for with --wait', async () => {
    holder(process.ppid);
    await expect(acquireResultsLock(dir)).rejects.toThrow(`in use by PID ${process.ppid}`);
    const lines: string[] = [];
    setTimeout(() => unlinkSync(join(dir, LOCK_FILE)), 150);
    const release = await acquireResultsLock(dir, { wait: true, pollMs: 20, log: (l) => lines.push(l) });
    expect(lines).toEqual([expect.stringContaining(`waiting for PID ${process.ppid}`)]);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    release();
  });

  test('a stale lock (dead PID, this host) is taken over with a message; another host is never judged stale', async () => {
    holder(999999999);
    const lines: string[] = [];
    const release = await acquireResultsLock(dir, { log: (l) => lines.push(l) });
    expect(lines).toEqual([
      `[lock] ${dir}: taking over the stale lock of PID 999999999 on ${hostname()} since 2026-01-01T00:00:00Z (bench): that process is gone`,
    ]);
    release();
    holder(999999999, 'other-machine');
    await expect(acquireResultsLock(dir)).rejects.toThrow('in use by PID 999999999 on other-machine');
  });

  test('leftover temporary records of interrupted writes are removed by the next lock holder', async () => {
    const runs = join(dir, 'runs', 'synth-glas', 'cam', 'vgg16_w0.125');
    mkdirSync(runs, { recursive: true });
    writeFileSync(join(runs, 'f0-s0.json'), '{}');
    writeFileSync(join(runs, 'f0-s0.json.tmp-4242-1733390000000'), '{"partial');
    const lines: string[] = [];
    (await acquireResultsLock(dir, { log: (l) => lines.push(l) }))();
    expect(readdirSync(runs)).toEqual(['f0-s0.json']);
    expect(lines).toEqual([
      `[lock] ${dir}: removed 1 temporary file(s) of interrupted writes, e.g. ${join(runs, 'f0-s0.json.tmp-4242-1733390000000')}`,
    ]);
  });
});
