/**
 * Benchmark (not a test): PxAP over N synthetic 224x224 maps (accumulate + compute), like the reference's §10 anchor
 * (numpy MaskEvaluator: ~2 s for 1000 maps on this machine).
 * Run after a build: `node packages/metrics/dist/bench-pxap.js [N]` (or `npx tsx packages/metrics/src/bench-pxap.ts [N]` with tsx).
 */
import { PxapAccumulator } from './pxap.js';

const n = Number(process.argv[2] ?? 1000);
const side = 224;
const size = side * side;

// Synthetic CAM-like maps (float32, in [0, 1]) and ellipse masks, generated up front (not timed).
let seed = 1;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
};
const maps: Float32Array[] = [];
const masks: Uint8Array[] = [];
for (let i = 0; i < Math.min(n, 50); i++) {
  const cx = 40 + rand() * 144;
  const cy = 40 + rand() * 144;
  const rx = 20 + rand() * 40;
  const ry = 20 + rand() * 40;
  const map = new Float32Array(size);
  const mask = new Uint8Array(size);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
      mask[y * side + x] = d <= 1 ? 1 : 0;
      map[y * side + x] = Math.min(1, Math.max(0, Math.exp(-d / 2) * 0.8 + rand() * 0.2));
    }
  }
  maps.push(map);
  masks.push(mask);
}

function run(): { seconds: number; cpu: number; pxap: number } {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const acc = new PxapAccumulator({ step: 0.001 });
  for (let i = 0; i < n; i++) acc.accumulate(maps[i % maps.length]!, masks[i % masks.length]!);
  const pxap = acc.compute().pxap;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { seconds, cpu: (c.user + c.system) / 1e6, pxap };
}

run(); // warm-up
const times: number[] = [];
const cpus: number[] = [];
let last = 0;
for (let r = 0; r < 5; r++) {
  const { seconds, cpu, pxap } = run();
  times.push(seconds);
  cpus.push(cpu);
  last = pxap;
}
times.sort((a, b) => a - b);
cpus.sort((a, b) => a - b);
console.log(
  `PxAP of ${n} maps ${side}x${side} (step 0.001): median ${times[2]!.toFixed(3)} s, min ${times[0]!.toFixed(3)} s ` +
    `(${((times[2]! / n) * 1000).toFixed(3)} ms/map); CPU time median ${cpus[2]!.toFixed(3)} s; PxAP = ${last.toFixed(4)}`,
);
