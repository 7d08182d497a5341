import { readFileSync } from 'node:fs';
import { acquireResultsLock, parseStrict, RunConfig } from '@wslbench/core';
import { DEFAULT_RESULTS_DIR } from '@wslbench/data';
import { getMethod } from '@wslbench/registry';
import { defaultProgress, RunInterruptedError, runConfigured } from '@wslbench/trainer';
import type { Command } from 'commander';

interface TrainFlags {
  method?: string;
  backbone?: string;
  dataset?: string;
  dataRoot?: string;
  fold?: string;
  seed?: string;
  epochs?: string;
  lr?: string;
  batchSize?: string;
  inputSize?: string;
  resize?: string;
  evalSize?: string;
  selectEvery?: string;
  report?: string;
  hp: string[];
  weights?: string;
  results?: string;
  resume?: boolean;
  config?: string;
  pretrainedCheckpoint: string;
  evaluateOnly?: boolean;
  divergenceFactor?: string;
}

const int = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name}: expected an integer, got '${v}'`);
  return n;
};
const num = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got '${v}'`);
  return n;
};

/** `key=value`; the value is read as JSON when it parses (numbers, booleans, arrays), else as a string. */
export function parseHp(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new Error(`--hp: expected key=value, got '${p}'`);
    const raw = p.slice(i + 1);
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      // a plain string value
    }
    out[p.slice(0, i)] = v;
  }
  return out;
}

/** The run config: --config FILE.json first, then each flag given on the command line on top of it. */
export function runConfigFromFlags(f: TrainFlags): RunConfig {
  let base: Record<string, unknown> = {};
  if (f.config) {
    try {
      base = JSON.parse(readFileSync(f.config, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`--config ${f.config}: ${(e as Error).message}`);
    }
  }
  const obj = (k: string) => ({ ...((base[k] as Record<string, unknown> | undefined) ?? {}) });
  const input = obj('input');
  const optimizer = obj('optimizer');
  const selection = obj('selection');
  const c: Record<string, unknown> = { ...base };
  if (f.method) c.method = f.method;
  if (f.backbone) c.backbone = f.backbone;
  if (f.dataset) c.dataset = f.dataset;
  if (f.dataRoot) c.dataRoot = f.dataRoot;
  if (f.fold) c.fold = int('fold', f.fold);
  if (f.seed) c.seed = int('seed', f.seed);
  if (f.epochs) c.epochs = int('epochs', f.epochs);
  if (f.evaluateOnly) {
    if (f.epochs && c.epochs !== 0)
      throw new Error(`--evaluate-only trains no epoch; it cannot go with --epochs ${f.epochs}`);
    c.epochs = 0;
    // The initial model is the only checkpoint: it must be selectable.
    selection.fromEpoch = 0;
  }
  if (f.weights) c.weights = f.weights;
  if (f.results) c.resultsDir = f.results;
  else c.resultsDir ??= DEFAULT_RESULTS_DIR; // the repository's, from any working directory
  if (f.lr) optimizer.lr = num('lr', f.lr);
  if (f.batchSize) optimizer.batchSize = int('batch-size', f.batchSize);
  if (f.inputSize) input.crop = int('input-size', f.inputSize);
  if (f.resize) input.resize = int('resize', f.resize);
  if (f.evalSize) input.eval = int('eval-size', f.evalSize);
  if (f.selectEvery) selection.every = int('select-every', f.selectEvery);
  if (f.report) selection.report = f.report;
  if (f.divergenceFactor) c.divergence = { lossFactor: num('divergence-factor', f.divergenceFactor) };
  if (f.hp.length) c.hp = { ...((base.hp as Record<string, unknown> | undefined) ?? {}), ...parseHp(f.hp) };
  if (Object.keys(input).length) c.input = input;
  if (Object.keys(optimizer).length) c.optimizer = optimizer;
  if (Object.keys(selection).length) c.selection = selection;
  return parseStrict(RunConfig, c, f.config ? `run config (${f.config} + flags)` : 'run config');
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description(
      'train one method under the protocol, select by few-shot PxAP, evaluate on test, write the result record',
    )
    .option('--method <id>', 'method id (wslbench list methods)')
    .option('--backbone <id>', "backbone id with optional width tag, e.g. 'vgg16', 'resnet50:w0.25'")
    .option('--dataset <id>', 'glas | camelyon16 | synth-glas | synth-camelyon | a split folder')
    .option('--data-root <dir>', 'folder holding the datasets')
    .option('--fold <k>', 'fold 0-4')
    .option('--seed <n>', 'master seed')
    .option('--epochs <n>', 'training epochs')
    .option('--lr <x>', 'base learning rate (head group: x headLrMultiplier)')
    .option('--batch-size <n>', 'training batch size')
    .option('--input-size <n>', 'training crop size')
    .option('--resize <n>', 'square resize before the crop')
    .option('--eval-size <n>', 'square resize for evaluation')
    .option('--select-every <k>', 'few-shot selection cadence in epochs')
    .option('--report <which>', 'best_localization | best_classification')
    .option(
      '--hp <key=value>',
      'method hyper-parameter (repeatable)',
      (v: string, acc: string[]) => acc.concat(v),
      [] as string[],
    )
    .option('--weights <file>', 'Keras ImageNet weights (.h5) for the backbone')
    .option('--results <dir>', 'results folder (records and checkpoints; default <repo>/results)')
    .option('--resume', 'continue from the run checkpoint when there is one')
    .option('--divergence-factor <x>', "fail the run when a step's loss exceeds x times max(first step's loss, 1)")
    .option('--evaluate-only', 'train no epoch: select and test the initial model (epochs 0 is refused otherwise)')
    .option('--config <file>', 'run config JSON (flags override it)')
    .option('--pretrained-checkpoint <which>', "prerequisite run's snapshot (NEGEV: the CAM run)", 'best_localization')
    .action(async (flags: TrainFlags, cmd: Command) => {
      const config = runConfigFromFlags(flags);
      const which = flags.pretrainedCheckpoint;
      if (which !== 'best_localization' && which !== 'best_classification') {
        throw new Error(`--pretrained-checkpoint: expected best_localization | best_classification, got '${which}'`);
      }
      const backend = (cmd.optsWithGlobals() as { backend?: string }).backend;
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      const release = await acquireResultsLock(config.resultsDir); // one writer per results folder
      process.once('SIGINT', onSigint);
      try {
        const record = await runConfigured(config, getMethod(config.method), {
          ...(backend ? { backend } : {}),
          progress: defaultProgress(),
          signal: controller.signal,
          resume: flags.resume === true,
          pretrainedCheckpoint: which,
          ...(flags.evaluateOnly ? { evaluateOnly: true } : {}),
        });
        if (record.status === 'failed') {
          process.stderr.write(`wslbench: run failed: ${record.failure?.reason}\n`);
          process.exitCode = 2;
        }
      } catch (e) {
        if (e instanceof RunInterruptedError) {
          process.stderr.write(`wslbench: ${e.message} (continue with the same command and --resume)\n`);
          process.exitCode = 130;
          return;
        }
        throw e;
      } finally {
        release();
        process.off('SIGINT', onSigint);
      }
    });
}
