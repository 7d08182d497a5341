/**
 * The GPU device check's Node side. benchmarks/perf/device-prepare.sh bundles this file (with tfjs, the engine, the
 * backbones and the torch backend's JS) into one .mjs; benchmarks/perf/device-check.sh runs it once per stage, each
 * stage in its own process so that a crash or an out-of-memory state cannot spoil the next one:
 *   --mode parity  every kernel parity case on torch (device --device) against the TF.js CPU backend
 *   --mode train   ResNet50-WSOL training steps (full width, GAP + dense head, plain SGD) on torch, with
 *                  --pytorch-json (the PyTorch step on the same device, same batch and size) for the ratio
 *   --mode oom     asks for more memory than the device has (one huge tensor, and a training step at a too-large
 *                  batch) and records the error: code WSLBENCH_TORCH_OOM and a message naming the size asked
 *   --mode report  merges the stages' JSON files (--parts a,b,c) into --out
 * Each stage writes its JSON record to --out and prints a human summary.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { createBackbone } from '@wslbench/backbones';
import {
  compareParity,
  computeParityCase,
  fallbackKernelsUsed,
  PARITY_CASES,
  PARITY_TOLERANCE,
} from '@wslbench/backend-torch';
import { Dense, type ForwardContext, ParamStore, rngStream } from '@wslbench/core';
import { type EngineInfo, initEngine } from '@wslbench/engine';
import { sgdStep } from './train-step.js';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`device-check: --${name} is required`);
  return v;
}

function intArg(name: string, fallback: number): number {
  const raw = arg(name, String(fallback));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`device-check: --${name} must be a positive integer, got '${raw}'`);
  return n;
}

function deviceArg(): 'cpu' | 'cuda' {
  const d = arg('device', 'cuda');
  if (d !== 'cpu' && d !== 'cuda') throw new Error(`device-check: --device must be cpu or cuda, got '${d}'`);
  return d;
}

function engineSummary(info: EngineInfo) {
  return {
    backend: info.backend,
    libtorch: info.torch?.version,
    libtorchFrom: info.torch?.libtorch,
    device: info.torch?.device,
    threads: info.torch?.threads,
    addon: info.torch?.addon,
    // Kernels that ran on the CPU fallback in this stage (each one a device -> host -> device round trip).
    fallbackKernelsUsed: fallbackKernelsUsed(),
    node: process.version,
    tfjs: info.tfjsVersion,
    tf32: process.env.NVIDIA_TF32_OVERRIDE === '0' ? 'off (NVIDIA_TF32_OVERRIDE=0)' : 'libtorch default',
  };
}

function errorOf(err: unknown): { code: string | null; message: string } {
  const e = err as { code?: string; message?: string };
  return { code: e?.code ?? null, message: (e?.message ?? String(err)).split('\n')[0]! };
}

/** A failed expectation: said at once, and the stage's exit code becomes 3 (its JSON is still written). */
function gate(ok: boolean, why: string): void {
  if (ok) return;
  console.log(`device-check: FAILED: ${why}`);
  process.exitCode = 3;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function parity(device: 'cpu' | 'cuda') {
  const info = await initEngine({ backend: 'torch', device });
  const rows = [];
  for (const [name, f, tol = PARITY_TOLERANCE] of PARITY_CASES) {
    const t0 = performance.now();
    try {
      const want = await computeParityCase('cpu', f);
      const before = tf.memory().numTensors;
      const got = await computeParityCase('torch', f);
      const leaked = tf.memory().numTensors - before;
      const outputs = compareParity(want, got);
      const worst = outputs.reduce((a, b) => (b.maxError / b.scale > a.maxError / a.scale ? b : a));
      const mismatch = outputs.find((o) => o.mismatch)?.mismatch;
      const pass = !mismatch && leaked === 0 && outputs.every((o) => o.maxError <= tol * o.scale);
      rows.push({
        name,
        pass,
        tolerance: tol,
        maxError: worst.maxError,
        relError: worst.maxError / worst.scale,
        worstOutput: worst.output,
        ...(mismatch ? { mismatch } : {}),
        leakedTensors: leaked,
        ms: Math.round(performance.now() - t0),
      });
    } catch (err) {
      rows.push({ name, pass: false, error: errorOf(err), ms: Math.round(performance.now() - t0) });
    }
    const r = rows[rows.length - 1]!;
    const detail =
      'error' in r && r.error
        ? `ERROR ${r.error.code ?? ''} ${r.error.message}`
        : `max err ${(r.maxError as number).toExponential(2)} (rel ${(r.relError as number).toExponential(2)}, tol ${r.tolerance})${r.leakedTensors ? ` LEAKED ${r.leakedTensors} tensors` : ''}${'mismatch' in r ? ` MISMATCH ${r.mismatch}` : ''}`;
    console.log(`  ${r.pass ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
  }
  const passed = rows.filter((r) => r.pass).length;
  console.log(`parity on ${info.torch?.device}: ${passed}/${rows.length} cases pass`);
  if (process.argv.includes('--gate')) gate(passed === rows.length, `${rows.length - passed} parity case(s) fail`);
  await tf.setBackend('torch');
  return { stage: 'parity', engine: engineSummary(info), passed, failed: rows.length - passed, cases: rows };
}

/** The project's ResNet50 in its WSOL form (layer3/layer4 at stride 1) with a GAP + dense head. */
function resnet50Wsol(classes: number) {
  const store = new ParamStore(rngStream('device-check', 'resnet50-wsol'));
  const backbone = createBackbone('resnet50', { params: store, width: 1 });
  const head = new Dense(store, 'fc', { inFeatures: backbone.outChannels, outFeatures: classes });
  const forward = (x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D =>
    head.apply(tf.mean(backbone.forward(x, ctx).features, [1, 2]) as tf.Tensor2D);
  return { store, forward, params: store.trainable().reduce((s, p) => s + p.variable.size, 0) };
}

function batchOf(batch: number, size: number, classes: number, seed: string) {
  const rng = rngStream('device-check', seed);
  const x = tf.tensor4d(
    new Float32Array(batch * size * size * 3).map(() => rng() * 2 - 1),
    [batch, size, size, 3],
  );
  const labels = Array.from({ length: batch }, (_, i) => i % classes);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat()) as tf.Tensor2D;
  return { x, y, rng };
}

async function train(device: 'cpu' | 'cuda') {
  const batch = intArg('batch', 32);
  const size = intArg('size', 224);
  const steps = intArg('steps', 10);
  const warmup = intArg('warmup', 2);
  const classes = intArg('classes', 2);
  const lr = 0.01;
  const threads = process.argv.includes('--threads') ? intArg('threads', 1) : undefined;
  const info = await initEngine({ backend: 'torch', device, ...(threads ? { threads } : {}) });
  const t0 = performance.now();
  const net = resnet50Wsol(classes);
  const buildMs = performance.now() - t0;
  const { x, y, rng } = batchOf(batch, size, classes, 'train');
  const baseTensors = tf.memory().numTensors;
  const losses: number[] = [];
  const times: number[] = [];
  const tensorsAfter: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const s0 = performance.now();
    losses.push(sgdStep(net, x, y, lr, rng)); // reads the loss back: the step has finished on the device
    if (i >= warmup) times.push(performance.now() - s0);
    tensorsAfter.push(tf.memory().numTensors - baseTensors);
  }
  const backend = tf.backend() as unknown as { memory(): { numTorchTensors?: number; numBytes?: number } };
  const torchMem = backend.memory();
  tf.dispose([x, y]);
  net.store.dispose();
  const ms = median(times);
  const out: Record<string, unknown> = {
    stage: 'train',
    engine: engineSummary(info),
    net: 'resnet50 (WSOL form: layer3/layer4 stride 1, output stride 8), width 1, GAP + dense head',
    trainableParams: net.params,
    classes,
    inputShape: [batch, size, size, 3],
    optimizer: `plain SGD lr ${lr}`,
    warmup,
    steps,
    buildMs: Math.round(buildMs),
    msPerStep: ms,
    meanMsPerStep: times.reduce((a, b) => a + b, 0) / times.length,
    msPerStepAll: times.map((t) => Math.round(t * 10) / 10),
    imagesPerS: (batch * 1000) / ms,
    losses,
    finiteLosses: losses.every(Number.isFinite),
    tensorsAfterEachStep: tensorsAfter,
    tensorsFlat: tensorsAfter.slice(1).every((n) => n === tensorsAfter[0]),
    torchBackendMemory: torchMem,
  };
  console.log(
    `torch backend ${info.torch?.device} [${batch}x${size}x${size}x3] ResNet50-WSOL: ${ms.toFixed(1)} ms/step (median of ${steps}, ${warmup} warm-up), ${((batch * 1000) / ms).toFixed(1)} img/s; losses ${losses.map((l) => l.toFixed(4)).join(' ')}; tensors after each step ${tensorsAfter.join(',')}`,
  );
  gate(out.finiteLosses === true, 'a training loss is not finite');
  gate(out.tensorsFlat === true, `tensors grow over steps: ${tensorsAfter.join(',')}`);
  const pyPath = process.argv.includes('--pytorch-json') ? arg('pytorch-json') : null;
  if (pyPath) {
    try {
      const py = JSON.parse(readFileSync(pyPath, 'utf8')) as {
        msPerStep?: number;
        gflopPerStep?: number;
        error?: string;
      };
      out.pytorch = py;
      if (typeof py.msPerStep === 'number') {
        out.ratioPytorchOverTorch = py.msPerStep / ms;
        // The same network and arithmetic (the default v1 variant mirrors @wslbench/backbones' resnet50).
        if (typeof py.gflopPerStep === 'number') out.tflops = py.gflopPerStep / ms;
        console.log(
          `PyTorch ${py.msPerStep.toFixed(1)} ms/step on the same device and shape: torch backend runs at ${(py.msPerStep / ms).toFixed(2)}x PyTorch's speed (>= 1: as fast)${py.gflopPerStep ? `; ${py.gflopPerStep.toFixed(1)} GFLOP/step: torch backend ${(py.gflopPerStep / ms).toFixed(2)} TFLOP/s, PyTorch ${(py.gflopPerStep / py.msPerStep).toFixed(2)} TFLOP/s` : ''}`,
        );
      } else console.log(`PyTorch: no timing (${py.error ?? 'see its JSON'})`);
    } catch (err) {
      out.pytorch = { error: `could not read ${pyPath}: ${errorOf(err).message}` };
      console.log(`PyTorch: ${(out.pytorch as { error: string }).error}`);
    }
  }
  return out;
}

/** Ask for more memory than the device has; a clear, coded error and a backend that still works afterwards. */
async function oom(device: 'cpu' | 'cuda') {
  const info = await initEngine({ backend: 'torch', device });
  const probes: Record<string, unknown>[] = [];
  const fillShape = [1 << 16, 1 << 20]; // 2^36 float32 = 256 GiB: more than an H200 (141 GiB) or any host here
  {
    const before = tf.memory().numTensors;
    try {
      const t = tf.fill(fillShape, 1);
      t.dispose();
      probes.push({ probe: `tf.fill ${fillShape.join('x')} float32 (256 GiB)`, failed: false });
    } catch (err) {
      const e = errorOf(err);
      probes.push({
        probe: `tf.fill ${fillShape.join('x')} float32 (256 GiB)`,
        failed: true,
        ...e,
        codeIsOom: e.code === 'WSLBENCH_TORCH_OOM',
        leakedTensors: tf.memory().numTensors - before,
      });
    }
  }
  // The training step at a batch far beyond the device (CUDA only: on CPU it would eat the host's memory first).
  const batch = intArg('oom-batch', 1024);
  const size = intArg('size', 224);
  if (device === 'cuda') {
    const net = resnet50Wsol(2);
    const { x, y, rng } = batchOf(batch, size, 2, 'oom');
    const before = tf.memory().numTensors;
    const probe = `ResNet50-WSOL training step at batch ${batch} x ${size}x${size}x3`;
    try {
      const loss = sgdStep(net, x, y, 0.01, rng);
      probes.push({ probe, failed: false, loss });
    } catch (err) {
      const e = errorOf(err);
      probes.push({
        probe,
        failed: true,
        ...e,
        codeIsOom: e.code === 'WSLBENCH_TORCH_OOM',
        leakedTensors: tf.memory().numTensors - before,
      });
    }
    tf.dispose([x, y]);
    net.store.dispose();
  } else
    probes.push({ probe: `training step at batch ${batch}`, skipped: 'CUDA only (on CPU it would exhaust host RAM)' });
  // The backend still computes after the failures.
  let recovered: unknown;
  try {
    const v = tf.tidy(
      () =>
        tf
          .conv2d(tf.ones([1, 8, 8, 3]) as tf.Tensor4D, tf.ones([3, 3, 3, 2]) as tf.Tensor4D, 1, 'same')
          .sum()
          .dataSync()[0],
    );
    // 'same' 3x3 on 8x8: each axis sums 2+3*6+2 = 22 taps, so 22^2 positions x 3 channels x 2 filters.
    recovered = { ok: v === 22 * 22 * 3 * 2, value: v };
  } catch (err) {
    recovered = { ok: false, ...errorOf(err) };
  }
  for (const p of probes)
    console.log(
      `  ${p.probe}: ${p.skipped ? `skipped (${p.skipped})` : p.failed ? `${p.code} — ${p.message}${p.leakedTensors ? ` (LEAKED ${p.leakedTensors} tensors)` : ''}` : 'did NOT fail'}`,
    );
  console.log(`  backend after the failures: ${JSON.stringify(recovered)}`);
  for (const p of probes) if (!p.skipped) gate(p.codeIsOom === true, `${p.probe}: no WSLBENCH_TORCH_OOM error`);
  gate((recovered as { ok?: boolean }).ok === true, 'the backend does not compute after an out-of-memory error');
  return { stage: 'oom', engine: engineSummary(info), probes, recovered };
}

function report() {
  const parts = arg('parts')
    .split(',')
    .filter((p) => p);
  const out: Record<string, unknown> = { createdAt: new Date().toISOString() };
  for (const p of parts) {
    const [key, file] = p.split('=') as [string, string];
    out[key] = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { missing: file };
  }
  return out;
}

async function main() {
  const mode = arg('mode');
  const outFile = arg('out');
  let result: unknown;
  if (mode === 'parity') result = await parity(deviceArg());
  else if (mode === 'train') result = await train(deviceArg());
  else if (mode === 'oom') result = await oom(deviceArg());
  else if (mode === 'report') result = report();
  else throw new Error(`device-check: unknown --mode '${mode}' (parity, train, oom, report)`);
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err) => {
  console.error(`device-check: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
