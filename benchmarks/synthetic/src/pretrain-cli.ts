// node benchmarks/synthetic/dist/pretrain-cli.js <backbone> [task:epochs:lr ...]: (re)create a shipped pretrained
// encoder, with the stages of PRETRAIN in grid.ts unless given (e.g. `images:20:0.001 tiles:8:0.0003`).
import type { PretrainStage } from './grid.js';
import { pretrainEncoder } from './pretrain.js';

const [backbone, ...stageArgs] = process.argv.slice(2);
if (!backbone) throw new Error('usage: pretrain-cli <backbone> [task:epochs:lr ...]');
const stages = stageArgs.map((a): PretrainStage => {
  const [task, epochs, lr] = a.split(':');
  if ((task !== 'images' && task !== 'tiles') || !(Number(epochs) > 0) || !(Number(lr) > 0))
    throw new Error(`pretrain-cli: stage '${a}' is not task:epochs:lr with task images or tiles`);
  return { task, epochs: Number(epochs), lr: Number(lr) };
});
const file = await pretrainEncoder(backbone, {
  ...(stages.length ? { stages } : {}),
  log: (l) => process.stdout.write(`${l}\n`),
});
process.stdout.write(`wrote ${file}\n`);
