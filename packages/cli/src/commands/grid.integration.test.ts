import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The tiny grid (GAP, CAM, NEGEV x 2 seeds, 1 epoch, 32 px, the smallest VGG) on each executor, against a real
 * local Slurm and a real Redis: one cell fails once, a run is killed (local) and a worker is killed mid-cell (BullMQ),
 * resume completes the grid without rerunning done cells, and the three leaderboards are identical.
 * Runs with WSLBENCH_GRID_IT=1 (CI starts the services with scripts/services/*); then a missing service FAILS.
 */
const enabled = process.env.WSLBENCH_GRID_IT === '1';
const describeIt = enabled ? describe : describe.skip;

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/main.js');
const REDIS = process.env.WSLBENCH_REDIS_URL ?? '';
const QUEUE = `grid-it-${process.pid}`;

interface Out {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Out> {
  return new Promise((done, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd ?? process.cwd(),
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

interface StatusJson {
  counts: { ok: number; failed: number; running: number; missing: number };
  cells: { id: string; state: string }[];
}
async function status(run: string): Promise<StatusJson> {
  const s = await cli(['grid', 'status', '--run', run, '--json']);
  if (s.code !== 0) throw new Error(`grid status: ${s.stderr}`);
  return JSON.parse(s.stdout) as StatusJson;
}
const resultOf = (run: string, id: string) => join(run, 'results', id, 'result.json');
const okResults = (run: string) =>
  existsSync(join(run, 'results'))
    ? readdirSync(join(run, 'results')).filter((id) => existsSync(resultOf(run, id)))
    : [];
const leaderboard = (run: string) => {
  const l = JSON.parse(readFileSync(join(run, 'leaderboard.json'), 'utf8'));
  return { cells: l.cells, pxap: l.pxap, clAccuracy: l.clAccuracy };
};

describeIt('grid executors end to end (local, Slurm, BullMQ)', () => {
  let root: string;
  let ids: string[];
  const plan = async (name: string) => {
    const run = join(root, name);
    const p = await cli(['grid', 'plan', join(root, 'grid.json'), '--out', run], { cwd: root });
    expect(p.code).toBe(0);
    ids = (JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')).cells as { id: string }[]).map((c) => c.id);
    return run;
  };
  const faultOnce = (name: string, id: string) => {
    const dir = join(root, `faults-${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, id), '');
    return { WSLBENCH_GRID_FAULT_DIR: dir };
  };

  beforeAll(() => {
    expect(existsSync(CLI)).toBe(true); // built by `npm run build`
    root = mkdtempSync(join(tmpdir(), 'wsl-grid-it-'));
    writeFileSync(
      join(root, 'grid.json'),
      JSON.stringify({
        base: {
          epochs: 1,
          dataRoot: 'data',
          input: { resize: 36, crop: 32, eval: 32 },
          optimizer: { batchSize: 8, lr: 0.01 },
          synth: {
            size: 32,
            seed: 0,
            magnification: 1,
            counts: { train: [4, 4], valcl: [4, 4], test: [4, 4], valpx: 2 },
          },
        },
        axes: { method: ['gap', 'cam', 'negev'], backbone: ['vgg16:w0.0625'], dataset: ['synth-glas'], seed: [0, 1] },
      }),
    );
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('the services are up (a missing one fails here, it is never skipped)', async () => {
    const conf = process.env.SLURM_CONF;
    expect(conf && existsSync(conf) ? conf : `SLURM_CONF unset or missing (${conf})`).toBe(conf);
    expect(execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' }).trim()).toMatch(/idle|mixed|alloc/);
    expect(REDIS).toMatch(/^redis:\/\//);
    const { Redis } = await import('ioredis');
    const r = new Redis(REDIS, { maxRetriesPerRequest: 1 });
    try {
      expect(await r.ping()).toBe('PONG');
    } finally {
      r.disconnect();
    }
  });

  test('local: a failing cell, the run killed mid-grid, a resume that finishes it without rerunning done cells', async () => {
    const run = await plan('local');
    expect(ids).toHaveLength(6);
    const env = faultOnce('local', ids[0] as string);
    const child: ChildProcess = spawn(process.execPath, [CLI, 'grid', 'run', '--run', run, '--jobs', '2'], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    await until('two finished cells', () => okResults(run).length >= 2, 120_000);
    child.kill('SIGKILL');
    // The cells it started notice their parent is gone and stop (their epoch checkpoints stay).
    await until('no attempt under way', async () => (await status(run)).counts.running === 0, 20_000);
    const killed = await status(run);
    expect(killed.counts.failed).toBe(1);
    expect(killed.cells.find((c) => c.id === ids[0])?.state).toBe('failed');
    expect(killed.counts.ok).toBeGreaterThanOrEqual(2);
    expect(killed.counts.ok).toBeLessThan(6);
    const error = JSON.parse(readFileSync(join(run, 'results', ids[0] as string, 'error.json'), 'utf8'));
    expect(error).toMatchObject({ attempt: 1, executor: 'local', message: expect.stringMatching(/injected fault/) });
    expect(error.stderrTail).toMatch(/injected fault/);
    expect(readFileSync(join(run, 'results', ids[0] as string, 'cell.log'), 'utf8')).toMatch(
      /local on .*\n[\s\S]*injected fault/,
    );
    const done = okResults(run);
    const mtimes = new Map(done.map((id) => [id, statSync(resultOf(run, id)).mtimeMs]));

    const resume = await cli(['grid', 'resume', '--run', run, '--executor', 'local', '--jobs', '2'], { env });
    expect(resume.stdout).toContain(`resume: ${6 - done.length} of 6 cells lack a valid result`);
    expect(resume.code).toBe(0);
    expect((await status(run)).counts).toEqual({ ok: 6, failed: 0, running: 0, missing: 0 });
    for (const [id, t] of mtimes) expect(statSync(resultOf(run, id)).mtimeMs).toBe(t);
    expect(JSON.parse(readFileSync(resultOf(run, ids[0] as string), 'utf8')).attempt).toBe(2);
    expect((await cli(['grid', 'run', '--run', run])).stdout).toContain('nothing to run');
    expect((await cli(['grid', 'merge', '--run', run])).code).toBe(0);
  }, 240_000);

  test('slurm: job arrays chunked by --max-array, a failed cell, a resume that submits only that cell', async () => {
    const run = await plan('slurm');
    const env = faultOnce('slurm', ids[1] as string);
    const sub = await cli(
      ['grid', 'submit', '--run', run, '--executor', 'slurm', '--max-array', '2', '--throttle', '2', '--wait'],
      { env },
    );
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('6 cells in 3 array job(s)');
    expect(sub.stdout).toMatch(/--dependency=afterany:\d+:\d+/);
    const first = await status(run);
    expect(first.counts).toEqual({ ok: 5, failed: 1, running: 0, missing: 0 });
    expect(first.cells.find((c) => c.state === 'failed')?.id).toBe(ids[1]);

    const resume = await cli(['grid', 'resume', '--run', run, '--executor', 'slurm', '--wait'], { env });
    expect(resume.code).toBe(0);
    expect(resume.stdout).toContain('resume: 1 of 6 cells lack a valid result');
    expect(readFileSync(join(run, 'slurm', 'sub-002', 'wave1-chunk0.idx'), 'utf8')).toBe('1\n');
    expect((await status(run)).counts.ok).toBe(6);
    expect((await cli(['grid', 'merge', '--run', run])).code).toBe(0);
    expect(leaderboard(run)).toEqual(leaderboard(join(root, 'local')));
  }, 240_000);

  test('bullmq: two workers in separate directories, a double submit, a retried cell, a worker killed mid-cell', async () => {
    const run = await plan('bullmq');
    const env = faultOnce('bullmq', ids[1] as string);
    const workers = ['w1', 'w2'].map((name) => {
      const cwd = join(root, name);
      mkdirSync(cwd);
      const log = { text: '' };
      const p = spawn(process.execPath, [CLI, 'worker', '--redis', REDIS, '--queue', QUEUE, '--lock-ms', '2000'], {
        cwd,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      p.stdout.on('data', (d) => {
        log.text += d;
      });
      p.stderr.on('data', (d) => {
        log.text += d;
      });
      return { p, log };
    });
    const [w1, w2] = workers as [(typeof workers)[0], (typeof workers)[0]];
    try {
      const submit = ['grid', 'submit', '--run', run, '--executor', 'bullmq', '--redis', REDIS, '--queue', QUEUE];
      expect((await cli(submit)).stdout).toContain('6 added');
      expect((await cli(submit)).stdout).toContain('0 added, 0 retried, 6 already queued');
      // Kill w1 while it trains a cell other than the faulty one.
      let victim = '';
      await until(
        'worker 1 training a cell',
        () => {
          const started = [...w1.log.text.matchAll(/start (\S+) /g)].map((m) => m[1] as string);
          const last = started.at(-1);
          if (last && last !== ids[1] && !existsSync(resultOf(run, last))) victim = last;
          return victim !== '';
        },
        60_000,
      );
      await sleep(300);
      expect(existsSync(resultOf(run, victim))).toBe(false);
      w1.p.kill('SIGKILL');
      await until('every cell done', () => okResults(run).length === 6, 150_000);
      expect(w2.log.text).toContain(`start ${victim}`);
      expect((await status(run)).counts).toEqual({ ok: 6, failed: 0, running: 0, missing: 0 });
      // The faulty cell failed its first attempt and the queue retried it.
      expect(JSON.parse(readFileSync(resultOf(run, ids[1] as string), 'utf8')).attempt).toBe(2);
      expect(existsSync(join(run, 'results', ids[1] as string, 'error-1.json'))).toBe(true);
      expect((await cli(['grid', 'merge', '--run', run])).code).toBe(0);
      expect(leaderboard(run)).toEqual(leaderboard(join(root, 'local')));
    } finally {
      for (const w of workers) if (w.p.exitCode === null && w.p.signalCode === null) w.p.kill('SIGTERM');
      await until(
        'workers stopped',
        () => workers.every((w) => w.p.exitCode !== null || w.p.signalCode !== null),
        30_000,
      );
    }
  }, 240_000);
});
