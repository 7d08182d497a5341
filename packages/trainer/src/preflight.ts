import { totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { AnyMethod, Batch, DatasetSource, RunConfig, StepContext } from '@wslbench/core';
import { engineEnvInfo } from '@wslbench/engine';
import {
  type BackboneFactory,
  buildModel,
  disposeModel,
  type PretrainedWeights,
  resolveHp,
  runStreams,
} from './model-setup.js';

/** Tensor memory a backend can hold: wasm32's heap is 4 GiB; the cpu backend's arrays live in the machine's memory. */
export function memoryBudget(backend: string): number | undefined {
  if (backend === 'wasm') return 4 * 2 ** 30;
  if (backend === 'cpu') return totalmem();
  // torch on the CPU allocates from the machine's memory; on CUDA a too-large batch fails as a recorded OOM instead.
  if (backend === 'torch' && engineEnvInfo().device !== 'cuda') return totalmem();
  return undefined; // tensorflow (GPU or native CPU): its allocator reports and bounds itself
}

/** Share of the budget a run may plan to use: the rest absorbs heap growth steps and fragmentation. */
const USABLE = 0.9;
/** Measured peaks (tf.profile, wasm) matched the wasm runs' RSS growth per image within 10% (see memory estimate). */
const MARGIN = 1.15;

export interface MemoryEstimate {
  /** Peak tensor bytes of one training step, per image of the batch (forward + backward of the method's loss). */
  perImage: number;
  /** Parameters, gradients, momentum and kept snapshots. */
  fixed: number;
  /** Bytes the configured batch needs (with the margin). */
  needed: number;
  budget: number | undefined;
  /** The largest batch that fits the budget (undefined: no known bound). */
  largestBatch: number | undefined;
}

/**
 * Estimate the memory of a training step of (method, backbone, crop, batch) on the active backend by measuring it: one
 * training step's forward and backward at batch 2 under tf.profile gives the peak bytes per image, which grows
 * linearly with the batch. Costs one small step (about a second at 224 px for ResNet50 at 1/8 width on wasm).
 */
export async function estimateTrainingMemory(
  method: AnyMethod,
  config: RunConfig,
  dataset: Pick<DatasetSource, 'numClasses' | 'id'>,
  createBackbone: BackboneFactory,
  pretrained?: PretrainedWeights,
): Promise<MemoryEstimate> {
  const hp = resolveHp(method, config.hp);
  const before = tf.memory().numBytes;
  const built = buildModel(method, config, hp, dataset as DatasetSource, createBackbone, pretrained);
  try {
    const paramBytes = tf.memory().numBytes - before;
    const n = 2;
    const s = config.input.crop;
    const ctx: StepContext<unknown> = {
      hp,
      rng: runStreams(config, method.id, dataset.id).step(-1),
      epoch: 1,
      step: 1,
      numClasses: dataset.numClasses,
    };
    const vars = built.params.trainable().map((p) => p.variable);
    const begin = tf.memory().numBytes;
    // tf.profile's peakBytes is the engine's total at the fullest kernel: minus what was there before = the step's.
    const profile = await tf.profile(() => {
      tf.tidy(() => {
        const batch: Batch = {
          images: tf.randomNormal([n, s, s, 3], 0, 1, 'float32', 1) as tf.Tensor4D,
          labels: tf.tensor1d(
            Array.from({ length: n }, (_, i) => i % dataset.numClasses),
            'int32',
          ),
          masks: tf.zeros([n, s, s], 'int32') as tf.Tensor3D,
          fullyNegative: Array.from({ length: n }, () => false),
          ids: Array.from({ length: n }, (_, i) => `preflight-${i}`),
        };
        const { value, grads } = tf.variableGrads(() => method.loss(built.model, batch, ctx), vars);
        tf.dispose([value, ...Object.values(grads)]);
      });
    });
    const peak = profile.peakBytes - begin;
    const perImage = peak / n;
    const fixed = 4 * paramBytes;
    const budget = memoryBudget(tf.getBackend());
    const needed = fixed + MARGIN * perImage * config.optimizer.batchSize;
    const largestBatch =
      budget === undefined ? undefined : Math.max(0, Math.floor((USABLE * budget - fixed) / (MARGIN * perImage)));
    return { perImage, fixed, needed, budget, largestBatch };
  } finally {
    disposeModel(built);
  }
}

const gb = (b: number) => `${(b / 2 ** 30).toFixed(2)} GB`;

/**
 * Everything a run can be refused for before its first step, except the data files (see preflightDataset): a batch
 * larger than the train split, a batch whose training step does not fit the backend's memory.
 */
export async function preflightRun(
  method: AnyMethod,
  config: RunConfig,
  dataset: DatasetSource,
  createBackbone: BackboneFactory,
  pretrained?: PretrainedWeights,
): Promise<MemoryEstimate | undefined> {
  const train = dataset.size('train');
  const batch = config.optimizer.batchSize;
  if (batch > train)
    throw new Error(
      `optimizer.batchSize ${batch} is larger than the train split of ${dataset.id} (${train} images): every batch ` +
        `would repeat images; use --batch-size ${train} or less`,
    );
  if (memoryBudget(tf.getBackend()) === undefined) return undefined; // no known bound: no step spent measuring
  const est = await estimateTrainingMemory(method, config, dataset, createBackbone, pretrained);
  if (est.largestBatch !== undefined && batch > est.largestBatch) {
    const fix =
      est.largestBatch > 0
        ? `the largest batch that fits is ${est.largestBatch} (--batch-size ${est.largestBatch}), or use a smaller --input-size`
        : 'not even a batch of 1 fits: use a smaller --input-size or a narrower backbone';
    throw new Error(
      `a training step of ${config.method} on ${config.backbone} at ${config.input.crop} px with batch ${batch} needs ` +
        `about ${gb(est.needed)} (${(est.perImage / 2 ** 20).toFixed(0)} MB per image), more than the ` +
        `${tf.getBackend()} backend's ${gb(USABLE * est.budget!)} usable; ${fix}`,
    );
  }
  return est;
}
