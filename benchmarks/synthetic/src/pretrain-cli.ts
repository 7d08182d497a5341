// node benchmarks/synthetic/dist/pretrain-cli.js <backbone> [epochs] [lr]: (re)create a shipped pretrained encoder.
import { pretrainEncoder } from './pretrain.js';

const [backbone, epochs, lr] = process.argv.slice(2);
if (!backbone) throw new Error('usage: pretrain-cli <backbone> [epochs] [lr]');
const file = await pretrainEncoder(backbone, {
  ...(epochs ? { epochs: Number(epochs) } : {}),
  ...(lr ? { lr: Number(lr) } : {}),
  log: (l) => process.stdout.write(`${l}\n`),
});
process.stdout.write(`wrote ${file}\n`);
