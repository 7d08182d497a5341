import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EPOCHS } from '@wslbench/bench-synthetic';
import { type AblationTable, TABLE_IDS } from './ablations.js';

export interface AblationOptions {
  quick: boolean;
  datasets: string[];
  backbones: string[];
  tables: AblationTable['id'][];
  /** NEGEV epochs and the CAM classifier's epochs. */
  epochs: number;
  camEpochs: number;
  lr: number;
  camLr: number;
  batchSize: number;
  input: { resize: number; crop: number; eval: number };
  seed: number;
  resultsDir: string;
  dataRoot?: string;
  backend?: string;
  verbose: boolean;
}

/** Paper settings scaled to the synthetic data and a CPU budget; --quick shrinks everything to a smoke run. */
export function defaultOptions(quick: boolean): AblationOptions {
  return {
    quick,
    datasets: ['synth-glas', 'synth-camelyon'],
    // The synthetic benchmark's CPU variants, data and shipped pretrained encoders (see benchmarks/synthetic).
    backbones: quick ? ['resnet50:w0.125'] : ['vgg16:w0.125', 'inceptionv3:w0.125', 'resnet50:w0.125'],
    tables: [...TABLE_IDS],
    // The main job's epochs (validation-chosen there; see benchmarks/synthetic/src/grid.ts).
    epochs: quick ? 2 : EPOCHS,
    camEpochs: quick ? 3 : EPOCHS,
    // The synthetic benchmark's rates (its head ratios come with them): CAM's encoder 1e-4; NEGEV 0.01.
    lr: 0.01,
    camLr: 0.0001,
    batchSize: 16,
    input: { resize: 72, crop: 64, eval: 64 },
    seed: 0,
    resultsDir: join('results', quick ? 'ablation-negev-quick' : 'ablation-negev'),
    verbose: false,
  };
}

export function parseCli(argv: string[]): AblationOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      datasets: { type: 'string' },
      backbones: { type: 'string' },
      tables: { type: 'string' },
      epochs: { type: 'string' },
      'cam-epochs': { type: 'string' },
      lr: { type: 'string' },
      'cam-lr': { type: 'string' },
      'batch-size': { type: 'string' },
      size: { type: 'string' },
      resize: { type: 'string' },
      seed: { type: 'string' },
      results: { type: 'string' },
      'data-root': { type: 'string' },
      backend: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: node benchmarks/ablation-negev/dist/run.js [--quick] [--datasets a,b] [--backbones resnet50:w0.25,...] ' +
        '[--tables 2,3,4,5] [--epochs n] [--cam-epochs n] [--lr x] [--cam-lr x] [--batch-size n] [--size crop] [--resize n] ' +
        '[--seed n] [--results dir] [--data-root dir] [--backend wasm|cpu|tensorflow] [--verbose]\n',
    );
    process.exit(0);
  }
  const o = defaultOptions(values.quick === true);
  const num = (name: string, v: string | undefined, int = true): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0 || (int && !Number.isInteger(x)))
      throw new Error(`--${name}: expected a positive ${int ? 'integer' : 'number'}, got '${v}'`);
    return x;
  };
  const list = (v: string | undefined) =>
    v
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const tables = list(values.tables)?.map((t) => {
    const id = `table${t.replace(/^table/, '')}`;
    if (!(TABLE_IDS as readonly string[]).includes(id))
      throw new Error(`--tables: unknown table '${t}' (known: 2, 3, 4, 5)`);
    return id as AblationTable['id'];
  });
  const size = num('size', values.size);
  const resize = num('resize', values.resize);
  const input = size
    ? { crop: size, eval: size, resize: resize ?? Math.round((size * 256) / 224) }
    : resize
      ? { ...o.input, resize }
      : o.input;
  if (input.crop % 8 !== 0)
    throw new Error(`--size: the crop must be divisible by 8 (backbone output stride), got ${input.crop}`);
  return {
    ...o,
    datasets: list(values.datasets) ?? o.datasets,
    backbones: list(values.backbones) ?? o.backbones,
    tables: tables ?? o.tables,
    epochs: num('epochs', values.epochs) ?? o.epochs,
    camEpochs: num('cam-epochs', values['cam-epochs']) ?? o.camEpochs,
    lr: num('lr', values.lr, false) ?? o.lr,
    camLr: num('cam-lr', values['cam-lr'], false) ?? o.camLr,
    batchSize: num('batch-size', values['batch-size']) ?? o.batchSize,
    input,
    seed: values.seed !== undefined ? Number(values.seed) : o.seed,
    resultsDir: values.results ?? o.resultsDir,
    ...(values['data-root'] ? { dataRoot: values['data-root'] } : {}),
    ...(values.backend ? { backend: values.backend } : {}),
    verbose: values.verbose === true,
  };
}
