import { z } from 'zod';

const Curve = z.object({
  precision: z.array(z.number()),
  recall: z.array(z.number()),
  thresholds: z.array(z.number()),
});

/** PxAP over one class's images (their GT-class maps): null for a class without foreground (CAMELYON normal). */
export const ClassPxap = z.object({
  pxap: z.number().nullable(),
  foregroundFraction: z.number(),
  images: z.number().int(),
});
export type ClassPxap = z.infer<typeof ClassPxap>;

/**
 * Per-image foreground / background score histograms at a coarse step (sparse [bin, count, ...] per image), so that
 * a bootstrap over test images can recompute the pooled PxAP of a resample (@wslbench/metrics weightedPxap).
 */
export const PerImageHistograms = z
  .object({
    step: z.number().positive(),
    ids: z.array(z.string()),
    fg: z.array(z.array(z.number().int().min(0))),
    bg: z.array(z.array(z.number().int().min(0))),
  })
  .strict();
export type PerImageHistograms = z.infer<typeof PerImageHistograms>;

/** PxAP and CL accuracy in percent (as the paper reports them); IoU, Dice, τ and the PR curve as fractions. */
export const EvalScores = z.object({
  pxap: z.number(),
  clAccuracy: z.number(),
  /** IoU and Dice of the foreground at the threshold that maximises IoU. */
  iou: z.number(),
  dice: z.number(),
  bestTau: z.number(),
  /** By class id: shows whether each class's maps localize (a class scored on negative evidence sits below its foreground fraction). */
  pxapPerClass: z.array(ClassPxap).optional(),
  curve: Curve.optional(),
  perImage: PerImageHistograms.optional(),
});
export type EvalScores = z.infer<typeof EvalScores>;

export const SelectionEntry = z.object({
  epoch: z.number().int(),
  pxap: z.number(),
  clAccuracy: z.number(),
  trainLoss: z.number().nullable(),
  lr: z.number().nullable(),
});
export type SelectionEntry = z.infer<typeof SelectionEntry>;

export const EnvInfo = z.object({
  backend: z.string(),
  backendReason: z.string().optional(),
  tfjsVersion: z.string(),
  node: z.string(),
  platform: z.string(),
  packages: z.record(z.string(), z.string()),
  commit: z.string().nullable(),
  /** Native engine details (torch backend): the libtorch version, device and intra-op threads. */
  libtorch: z.string().optional(),
  device: z.string().optional(),
  threads: z.number().int().optional(),
});
export type EnvInfo = z.infer<typeof EnvInfo>;

/** One training run: written atomically to results/runs/<dataset>/<method>/<backbone>/f<fold>-s<seed>.json. */
export const ResultRecord = z.object({
  schema: z.literal('wslbench/result@1'),
  status: z.enum(['ok', 'failed']),
  failure: z
    .object({ reason: z.string(), epoch: z.number().int().nullable(), step: z.number().int().nullable() })
    .optional(),
  method: z.string(),
  /** Who the method is (title, paper row, group), from its descriptor; absent in records written before 0.2. */
  methodInfo: z
    .object({
      id: z.string(),
      title: z.string(),
      paperKey: z.string().nullable(),
      group: z.enum(['weakly-supervised', 'fully-supervised']),
    })
    .strict()
    .optional(),
  backbone: z.string(),
  dataset: z.string(),
  fold: z.number().int(),
  seed: z.number().int(),
  /** The full resolved RunConfig (method hp included, defaults filled). */
  config: z.record(z.string(), z.unknown()),
  /** Few-shot PxAP and CL accuracy per evaluated epoch (epoch 0 = before training). */
  selection: z.array(SelectionEntry),
  bestLocalizationEpoch: z.number().int().nullable(),
  bestClassificationEpoch: z.number().int().nullable(),
  /** Test scores of the best_localization checkpoint (the reported numbers) and of best_classification. */
  test: EvalScores.nullable(),
  testBestClassification: EvalScores.nullable().optional(),
  /** Foreground fraction of the test set = PxAP of a constant map. */
  testForegroundFraction: z.number().optional(),
  durations: z.object({ trainS: z.number(), evalS: z.number(), totalS: z.number() }),
  env: EnvInfo,
  createdAt: z.string(),
});
export type ResultRecord = z.infer<typeof ResultRecord>;

/** Where a run's record lives, relative to the results folder. */
export function resultPath(r: {
  dataset: string;
  method: string;
  backbone: string;
  fold: number;
  seed: number;
}): string {
  const bb = r.backbone.replace(/[:/]/g, '_');
  // Dataset ids are path-free now; records of older runs named a folder by its absolute path, which path.join (the
  // writer) normalised: the same normalisation here keeps reader and writer on one path for every dataset kind.
  const ds = r.dataset
    .split(/[/\\]+/)
    .filter((s) => s !== '')
    .join('/');
  return `runs/${ds}/${r.method}/${bb}/f${r.fold}-s${r.seed}.json`;
}
