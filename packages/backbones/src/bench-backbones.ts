/**
 * Benchmark (not a test): forward and training-step images/s of each full-size backbone at 224 and of each CPU
 * variant at its default size, on the engine's backend (wasm by default; WSLBENCH_BACKEND overrides).
 *   node packages/backbones/dist/bench-backbones.js [--full] [--reps N] [--width W (CPU variants)]
 * A training step = forward (training mode) + GAP + linear loss + gradients of every trainable backbone variable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, rngStream } from '@wslbench/core';
import { initEngine } from '@wslbench/engine';
import { backboneIds, createBackbone, getBackboneSpec } from './index.js';

interface Row {
  variant: string;
  size: number;
  batch: number;
  params: number;
  forward: { wall: number; cpu: number };
  train: { wall: number; cpu: number } | null;
}

/** Seconds per call: wall clock and this process's CPU time (the latter is what an idle machine would show for
 * single-threaded wasm when the host is shared and loaded). */
function time(fn: () => void, reps: number): { wall: number; cpu: number } {
  fn(); // warm-up (kernel compilation, allocation)
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / reps / 1000, cpu: (c.user + c.system) / 1e6 / reps };
}

function bench(variant: string, size: number, batch: number, reps: number, train: boolean): Row {
  const store = new ParamStore(rngStream(0, 'bench', variant));
  const bb = createBackbone(variant, { params: store });
  const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const fwd = time(() => tf.tidy(() => bb.forward(x, { training: false }).features.dataSync()), reps);
  let step: { wall: number; cpu: number } | null = null;
  if (train) {
    const vars = store.trainable().map((p) => p.variable);
    const rng = rngStream(0, 'bench-step');
    step = time(
      () =>
        tf.tidy(() => {
          const { grads } = tf.variableGrads(
            () => tf.mean(bb.forward(x, { training: true, rng }).features) as tf.Scalar,
            vars,
          );
          for (const g of Object.values(grads)) g.dataSync();
        }),
      reps,
    );
  }
  const row = {
    variant,
    size,
    batch,
    params: bb.countParams().trainable,
    forward: fwd,
    train: step,
  };
  x.dispose();
  store.dispose();
  return row;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const reps = Number(args[args.indexOf('--reps') + 1] ?? 3) || 3;
  const info = await initEngine({});
  const rows: Row[] = [];
  const widthArg = args.indexOf('--width');
  for (const id of backboneIds()) {
    const cpu = getBackboneSpec(id).cpuDefault;
    const width = widthArg >= 0 ? Number(args[widthArg + 1]) : cpu.width;
    for (const batch of [16, 32]) rows.push(bench(`${id}:w${width}`, cpu.inputSize, batch, reps, true));
  }
  if (args.includes('--full')) {
    for (const id of backboneIds()) rows.push(bench(id, 224, 1, 1, !args.includes('--full-forward-only')));
  }
  const ips = (batch: number, t: { wall: number; cpu: number } | null, k: 'wall' | 'cpu') =>
    t ? (batch / t[k]).toFixed(1) : '-';
  const sec = (t: { wall: number; cpu: number } | null, k: 'wall' | 'cpu') => (t ? t[k].toFixed(3) : '-');
  process.stdout.write(`backend ${info.backend} (${info.backendReason}); threads ${info.wasm?.threads ?? '-'}\n`);
  process.stdout.write(
    '| variant | input | batch | params | fwd img/s (wall / cpu) | train img/s (wall / cpu) | train step s (wall / cpu) |\n|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.variant} | ${r.size} | ${r.batch} | ${r.params.toLocaleString('en-US')} | ${ips(r.batch, r.forward, 'wall')} / ${ips(r.batch, r.forward, 'cpu')} | ${ips(r.batch, r.train, 'wall')} / ${ips(r.batch, r.train, 'cpu')} | ${sec(r.train, 'wall')} / ${sec(r.train, 'cpu')} |\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
