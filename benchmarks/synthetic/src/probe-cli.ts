// node benchmarks/synthetic/dist/probe-cli.js <backbone> [encoder.json]: linear-probe accuracy of a pretrained encoder.
import { linearProbe } from './probe.js';

const [backbone, file] = process.argv.slice(2);
if (!backbone) throw new Error('usage: probe-cli <backbone> [encoder.json]');
const acc = await linearProbe(backbone, file);
for (const [d, a] of Object.entries(acc))
  process.stdout.write(`${backbone} ${d}: linear probe test accuracy ${a.toFixed(1)} %\n`);
