#!/usr/bin/env node
/**
 * `npm run bench:engine`: full SGD training steps (forward + backward + update) of a VGG-style net and a
 * ResNet-50-bottleneck-style stack on wasm + engine kernels and on the plain cpu backend, in one run. Reports
 * images/s and achieved GFLOP/s (analytic conv/dense FLOPs of forward + both backward products) and writes a JSON
 * record under results/perf/.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
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

async function timeSteps(backend: string, c: Case, shape: Shape, steps: number): Promise<Timing> {
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
    backend,
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

async function main(): Promise<void> {
  const info = await initEngine({ backend: 'wasm' });
  const wasmSteps = arg('steps', quick ? 2 : 3);
  const out: Record<string, { wasm: Timing; cpu: Timing; ratio: number }> = {};
  for (const c of CASES) {
    const wasm = await timeSteps('wasm', c, c.wasm, wasmSteps);
    const cpu = await timeSteps('cpu', c, c.cpu, 1);
    const ratio = wasm.gflopsCpuTime / cpu.gflopsCpuTime;
    out[c.name] = { wasm, cpu, ratio };
    const fmt = (t: Timing) =>
      `${t.backend.padEnd(5)} [${t.inputShape.join('x')}] ${t.msPerStep.toFixed(0).padStart(7)} ms/step ${t.imagesPerS.toFixed(2).padStart(8)} img/s ${t.gflops.toFixed(2).padStart(7)} GFLOP/s (CPU time: ${t.cpuMsPerStep.toFixed(0)} ms, ${t.gflopsCpuTime.toFixed(2)} GFLOP/s)`;
    process.stdout.write(
      `${c.name}\n  ${fmt(wasm)}\n  ${fmt(cpu)}\n  wasm/cpu (GFLOP/s over CPU time): ${ratio.toFixed(1)}x\n`,
    );
  }
  await tf.setBackend('wasm');
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
