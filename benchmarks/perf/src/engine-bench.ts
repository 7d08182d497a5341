#!/usr/bin/env node
/**
 * `npm run bench:engine`: full SGD training steps (forward + backward + update) of a VGG-style net and a
 * ResNet-50-bottleneck-style stack on wasm + engine kernels, on the plain cpu backend, and on the torch backend at 1
 * and 2 threads beside PyTorch (python3 torch, benchmarks/perf/pytorch/train_step.py) on the same net, batch and
 * threads, in one run. Reports images/s, achieved GFLOP/s (analytic conv/dense FLOPs of forward + both backward
 * products) and torch/PyTorch ratios, and writes a JSON record under results/perf/.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { rngStream, writeJsonAtomic } from '@wslbench/core';
import { engineEnvInfo, initEngine } from '@wslbench/engine';
import { type BenchNet, resnetBottleneckNet, vggStyleNet } from './nets.js';
import { sgdStep } from './train-step.js';

type Shape = [number, number, number, number];

interface Timing {
  backend: string;
  inputShape: Shape;
  steps: number;
  /** Median wall-clock time of a step. */
  msPerStep: number;
  /** Median CPU time (user+system) of a step: close to the uncontended time on a shared machine (one thread). */
  cpuMsPerStep: number;
  imagesPerS: number;
  gflopPerStep: number;
  gflops: number;
  /** GFLOP/s over CPU time. */
  gflopsCpuTime: number;
  losses: number[];
}

interface Case {
  name: string;
  make: (seed: string) => BenchNet;
  wasm: Shape;
  /** cpu is ~100x slower: one step at a small batch and size is enough to measure its GFLOP/s. */
  cpu: Shape;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const quick = process.argv.includes('--quick');
const CASES: Case[] = [
  {
    name: 'vgg-style',
    make: (seed) => vggStyleNet(rngStream(seed, 'vgg')),
    wasm: quick ? [4, 48, 48, 3] : [16, 96, 96, 3],
    cpu: [1, 32, 32, 3],
  },
  {
    name: 'resnet50-bottleneck-style',
    make: (seed) => resnetBottleneckNet(rngStream(seed, 'resnet')),
    wasm: quick ? [4, 64, 64, 3] : [16, 96, 96, 3],
    cpu: [1, 32, 32, 3],
  },
];

async function timeSteps(backend: string, c: Case, shape: Shape, steps: number, label = backend): Promise<Timing> {
  await tf.setBackend(backend);
  const net = c.make('engine-bench');
  const rng = rngStream('engine-bench', c.name, 'data');
  const xs = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng());
  const x = tf.tensor4d(xs, shape);
  const y = tf
    .oneHot(
      tf.tensor1d(
        Array.from({ length: shape[0] }, (_, i) => i % 2),
        'int32',
      ),
      2,
    )
    .toFloat() as tf.Tensor2D;
  const losses = [sgdStep(net, x, y, 0.01, rng)]; // warm-up: operator creation, heap growth
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    losses.push(sgdStep(net, x, y, 0.01, rng));
    const c1 = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpuTimes.push((c1.user + c1.system) / 1000);
  }
  const flops = net.stepFlops(shape);
  tf.dispose([x, y]);
  net.store.dispose();
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const ms = median(times);
  const cpuMs = median(cpuTimes);
  return {
    backend: label,
    inputShape: shape,
    steps,
    msPerStep: ms,
    cpuMsPerStep: cpuMs,
    imagesPerS: (shape[0] * 1000) / ms,
    gflopPerStep: flops / 1e9,
    gflops: flops / ms / 1e6,
    gflopsCpuTime: flops / cpuMs / 1e6,
    losses,
  };
}

interface PyTorchTiming {
  torch: string;
  threads: number;
  device: string;
  msPerStep: number;
  cpuMsPerStep: number;
}

/** The PyTorch reference: python3 (or WSLBENCH_PYTHON, or Debian's /usr/bin/python3) with torch importable. */
function pytorchStep(c: Case, shape: Shape, threads: number, steps: number): PyTorchTiming | { error: string } {
  const script = fileURLToPath(new URL('../pytorch/train_step.py', import.meta.url));
  const pythons = [process.env.WSLBENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const errors: string[] = [];
  for (const py of pythons) {
    try {
      const outText = execFileSync(
        py,
        [script, '--net', c.name, '--shape', shape.join(','), '--threads', String(threads), '--steps', String(steps)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      return JSON.parse(outText.trim().split('\n').pop()!) as PyTorchTiming;
    } catch (err) {
      errors.push(
        `${py}: ${((err as Error).message ?? String(err)).split('\n').find((l) => /Error/.test(l)) ?? 'failed'}`,
      );
    }
  }
  return { error: `no python3 with torch (${errors.join('; ')}); apt-get install python3-torch` };
}

const fmt = (t: Timing) =>
  `${t.backend.padEnd(9)} [${t.inputShape.join('x')}] ${t.msPerStep.toFixed(0).padStart(7)} ms/step ${t.imagesPerS.toFixed(2).padStart(8)} img/s ${t.gflops.toFixed(2).padStart(7)} GFLOP/s (CPU time: ${t.cpuMsPerStep.toFixed(0)} ms, ${t.gflopsCpuTime.toFixed(2)} GFLOP/s)`;

interface TorchRow {
  threads: number;
  torch: Timing;
  pytorch: PyTorchTiming | { error: string };
  /** PyTorch ms/step over torch-backend ms/step (wall clock): >= 1 means the torch backend is as fast. */
  ratioWall: number | null;
  /** The same over CPU time (less sensitive to other load on a shared machine; at 1 thread the fairer number). */
  ratioCpu: number | null;
}

async function main(): Promise<void> {
  const info = await initEngine({ backend: 'wasm' });
  const wasmSteps = arg('steps', quick ? 2 : 3);
  const torchSteps = arg('torch-steps', quick ? 3 : 5);
  let torchReason = 'not probed';
  let torchReady = false;
  try {
    torchReady = (await initEngine({ backend: 'torch', threads: 1 })).backend === 'torch';
  } catch (err) {
    torchReason = (err as Error).message;
  }
  const out: Record<string, { wasm: Timing; cpu: Timing; ratio: number; torch: TorchRow[] }> = {};
  for (const c of CASES) {
    const wasm = await timeSteps('wasm', c, c.wasm, wasmSteps);
    const cpu = await timeSteps('cpu', c, c.cpu, 1);
    const ratio = wasm.gflopsCpuTime / cpu.gflopsCpuTime;
    const lines = [
      `${c.name}`,
      `  ${fmt(wasm)}`,
      `  ${fmt(cpu)}`,
      `  wasm/cpu (GFLOP/s over CPU time): ${ratio.toFixed(1)}x`,
    ];
    const torchRows: TorchRow[] = [];
    if (torchReady) {
      for (const threads of [1, 2]) {
        await initEngine({ backend: 'torch', threads });
        const torch = await timeSteps('torch', c, c.wasm, torchSteps, `torch@${threads}`);
        const pytorch = pytorchStep(c, c.wasm, threads, torchSteps);
        const ok = 'msPerStep' in pytorch;
        const row: TorchRow = {
          threads,
          torch,
          pytorch,
          ratioWall: ok ? pytorch.msPerStep / torch.msPerStep : null,
          ratioCpu: ok ? pytorch.cpuMsPerStep / torch.cpuMsPerStep : null,
        };
        torchRows.push(row);
        lines.push(`  ${fmt(torch)}  wasm -> torch: ${(wasm.msPerStep / torch.msPerStep).toFixed(1)}x`);
        lines.push(
          ok
            ? `  pytorch@${threads} [${c.wasm.join('x')}] ${pytorch.msPerStep.toFixed(0).padStart(7)} ms/step (CPU time: ${pytorch.cpuMsPerStep.toFixed(0)} ms)  torch backend / PyTorch: ${row.ratioWall!.toFixed(2)}x wall, ${row.ratioCpu!.toFixed(2)}x CPU time`
            : `  pytorch@${threads}: ${pytorch.error}`,
        );
      }
    } else {
      lines.push(`  torch: unavailable (${torchReason})`);
    }
    out[c.name] = { wasm, cpu, ratio, torch: torchRows };
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  await initEngine({ backend: 'wasm' });
  const record = {
    schema: 'wslbench/perf-engine@1',
    createdAt: new Date().toISOString(),
    env: engineEnvInfo(info),
    engine: info,
    cpu: { model: cpus()[0]?.model ?? 'unknown', logicalCores: cpus().length },
    flopsCounting:
      'analytic: 2*MAC of every conv/dense forward, x3 for forward + dX + dW (no dX for the first layer); BN/pool/elementwise not counted',
    results: out,
  };
  const stamp = record.createdAt.replace(/[:.]/g, '-');
  const path = join(process.cwd(), 'results', 'perf', `engine-bench-${stamp}.json`);
  writeJsonAtomic(path, record);
  process.stdout.write(`record: ${path}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`engine-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
