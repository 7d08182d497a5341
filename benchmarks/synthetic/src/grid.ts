import type { RunConfig } from '@wslbench/core';

/**
 * The embedded default benchmark, sized for a 2-core machine without GPU: both synthetic presets x the CPU variants
 * of the three backbones x every registered method. Per-cell hyper-parameters live in versioned JSON files under
 * configs/ named {method}_{backbone}_{dataset}_f{fold}.json (generated from this grid by `npm run configs`).
 */
export const SYNTHETIC_DATASETS = ['synth-glas', 'synth-camelyon'] as const;

/** Width-scaled WSOL backbones: same depth, strides and 1/8 map resolution as the paper's. */
export const CPU_BACKBONES = ['vgg16:w0.125', 'inceptionv3:w0.125', 'resnet50:w0.125'] as const;

/** Synthetic image size (generated), training resize -> crop, eval size. Ratios as the paper's 256 -> 224. */
export const SYNTH_IMAGE_SIZE = 96;
export const INPUT = { resize: 72, crop: 64, eval: 64 } as const;

/** Synthetic split sizes (images per class); valpx k per class drawn from valcl (3 GlaS-like, 5 CAMELYON-like). */
/** Tissue magnification per preset: at 1 the cells are ~1 px at the 64 px input; these keep them resolvable. */
export const SYNTH_MAGNIFICATION = { 'synth-glas': 1.5, 'synth-camelyon': 2.5 } as const;

export const SYNTH_COUNTS = {
  'synth-glas': { train: [60, 60], valcl: [8, 10], test: [30, 30], valpx: 3 },
  'synth-camelyon': { train: [60, 60], valcl: [10, 10], test: [30, 30], valpx: 5 },
} as const;

/**
 * Chosen on validation within the 40-minute budget (seed 0, CAM on the three backbones, best epoch; synth-glas /
 * synth-camelyon): 4 epochs valpx 60.2 / 41.9, valcl at that epoch 90.7 / 76.7 %; 8 epochs 60.5 / 45.7, 88.9 / 86.7 %.
 * 12 would not fit the budget (about 45 minutes for the three-seed job).
 */
export const EPOCHS = 8;
/**
 * The U-Net upper bound's epochs. With lr 0.01 stepped x0.1 every 8 epochs (seed 0, best epoch, mean of the three
 * backbones, synth-glas / synth-camelyon): 8 epochs 86.9 / 82.0, 16 epochs 88.6 / 84.5, 24 epochs 88.7 / 84.9. With
 * the learning rates chosen then at 16 epochs (overrides.ts: encoder 1e-3, decoder 1e-2, constant; seeds 0 and 1):
 * 16 epochs 89.0 / 86.3, 20 epochs 90.0 / 89.2, 24 epochs 90.7 / 89.6. 24 would put the three-seed main job at about
 * 39 of its 40 minutes (U-Net cells cost 1300 s of worker time at 16 epochs), so 20.
 */
export const UNET_EPOCHS = 20;

/**
 * The default board trains every cell at each of these seeds and reports mean ± std over them, with paired
 * bootstrap CIs over test images and seeds (@wslbench/report paired.ts). A config file's own `seed` (the restart
 * search's choice) is used only with --restart-seeds.
 */
export const DEFAULT_SEEDS = [0, 1, 2] as const;
/** --quick: one seed (its 5-minute budget); its board has no std and CIs over test images only. */
export const QUICK_SEEDS = [0] as const;

/** Seeds of the restart search (restarts.ts): each cell is trained at each, the best on valpx is kept. */
export const RESTART_SEEDS = [0, 1, 2] as const;
export const QUICK_EPOCHS = 1;

/** One pretraining stage: image classification (the pool's 4 classes) or tissue-type tiles (see tissue-tiles.ts). */
export interface PretrainStage {
  task: 'images' | 'tiles';
  epochs: number;
  /** Adam learning rate. */
  lr: number;
}

/** The pretraining of each CPU backbone on the pretraining pool (see pretrain.ts): how the shipped files were made. */
export const PRETRAIN: Record<string, readonly PretrainStage[]> = {
  'vgg16:w0.125': [{ task: 'tiles', epochs: 15, lr: 0.0003 }],
  'inceptionv3:w0.125': [{ task: 'tiles', epochs: 15, lr: 0.001 }],
  'resnet50:w0.125': [
    { task: 'images', epochs: 20, lr: 0.001 },
    { task: 'tiles', epochs: 8, lr: 0.0003 },
  ],
};
export const PRETRAIN_DEFAULT: readonly PretrainStage[] = [{ task: 'tiles', epochs: 15, lr: 0.0003 }];

/**
 * The pretraining pool: its own sample of each synthetic preset (seed 1, so no benchmark image is in it; train split
 * only is used, image labels only), generated under `<data root>/pretrain-pool/`. Larger than a benchmark train set:
 * like ImageNet, pretraining sees more images than the weakly-supervised task.
 */
export const PRETRAIN_POOL = { seed: 1, perClass: 400, folder: 'pretrain-pool' } as const;

/** Generation settings of the pretraining pool, per preset (same size and magnification as the benchmark's). */
export function pretrainPoolSettings(
  perClass: number = PRETRAIN_POOL.perClass,
): Record<string, NonNullable<RunConfig['synth']>> {
  return Object.fromEntries(
    Object.entries(synthSettings()).map(([d, s]) => [
      d,
      {
        ...s,
        seed: PRETRAIN_POOL.seed,
        counts: {
          train: [perClass, perClass],
          valcl: [s.counts!.valpx, s.counts!.valpx],
          test: [1, 1],
          valpx: s.counts!.valpx,
        },
      },
    ]),
  );
}

export function configName(method: string, backbone: string, dataset: string, fold: number): string {
  return `${method}_${backbone.replace(/[:/]/g, '-')}_${dataset}_f${fold}`;
}

/** The base config every cell starts from (before its own overrides). */
export function baseConfig(method: string, backbone: string, dataset: string): RunConfig {
  return {
    method,
    backbone,
    dataset,
    fold: 0,
    seed: 0,
    epochs: EPOCHS,
    input: { ...INPUT },
    optimizer: {
      lr: 0.0001,
      momentum: 0.9,
      nesterov: true,
      weightDecay: 1e-4,
      batchSize: 16,
      headLrMultiplier: 100,
      stepSize: 8,
      gamma: 0.1,
      minLr: 1e-6,
    },
    // Epoch 0 (pretrained encoder + random heads) is evaluated and recorded but not selectable: at this scale its maps
    // often tie with trained ones, and an untrained classifier is not a weakly-supervised result.
    selection: { every: 1, report: 'best_localization', fromEpoch: 1 },
    hp: {},
    resultsDir: 'results',
  };
}

/** The generation settings of each synthetic preset, as recorded in every cell's config. */
export function synthSettings(): Record<string, NonNullable<RunConfig['synth']>> {
  return Object.fromEntries(
    SYNTHETIC_DATASETS.map((d) => {
      const c = SYNTH_COUNTS[d];
      return [
        d,
        {
          size: SYNTH_IMAGE_SIZE,
          seed: 0,
          magnification: SYNTH_MAGNIFICATION[d],
          counts: { train: [...c.train], valcl: [...c.valcl], test: [...c.test], valpx: c.valpx },
        },
      ];
    }),
  );
}
