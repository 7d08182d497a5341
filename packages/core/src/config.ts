import { z } from 'zod';

/** Optimiser of the protocol: SGD, momentum 0.9, Nesterov, weight decay 1e-4, step schedule, 10x lr for heads. */
export const OptimizerConfig = z
  .object({
    lr: z.number().positive().default(0.003),
    momentum: z.number().min(0).max(1).default(0.9),
    nesterov: z.boolean().default(true),
    weightDecay: z.number().min(0).default(1e-4),
    batchSize: z.number().int().positive().default(32),
    /** lr multiplier of the 'head' parameter group (reference: lr_classifier_ratio = 10). */
    headLrMultiplier: z.number().positive().default(10),
    /** Step schedule: lr = max(lr * gamma^floor(epoch / stepSize), minLr), stepped once per epoch. */
    stepSize: z.number().int().positive().default(250),
    gamma: z.number().positive().default(0.1),
    minLr: z.number().min(0).default(1e-6),
  })
  .strict();
export type OptimizerConfig = z.infer<typeof OptimizerConfig>;

/** Input geometry: train = square resize then random crop; eval = square resize. Paper: 256 / 224 / 224. */
export const InputConfig = z
  .object({
    resize: z.number().int().positive().default(256),
    crop: z.number().int().positive().default(224),
    eval: z.number().int().positive().default(224),
  })
  .strict()
  .refine((v) => v.crop <= v.resize, { message: 'input.crop must be <= input.resize' });
export type InputConfig = z.infer<typeof InputConfig>;

export const SelectionConfig = z
  .object({
    /** Evaluate few-shot PxAP every k epochs (and at epoch 0). */
    every: z.number().int().positive().default(1),
    /** Which checkpoint is reported on test. */
    report: z.enum(['best_localization', 'best_classification']).default('best_localization'),
    /**
     * First epoch whose checkpoint may be selected. 0 = the reference (wsolevaluation evaluates the untrained epoch-0
     * model and may select it); 1 = only trained models compete (epoch 0 is still evaluated and recorded).
     */
    fromEpoch: z.number().int().min(0).default(0),
  })
  .strict();
export type SelectionConfig = z.infer<typeof SelectionConfig>;

export const RunConfig = z
  .object({
    method: z.string().min(1),
    /** Backbone id with optional width tag, e.g. 'vgg16', 'resnet50:w0.25'. */
    backbone: z.string().min(1),
    /** Dataset id: 'glas', 'camelyon16', 'synth-glas', 'synth-camelyon', or a folder. */
    dataset: z.string().min(1),
    /** Root folder of the dataset (defaults by dataset id). */
    dataRoot: z.string().optional(),
    fold: z.number().int().min(0).max(4).default(0),
    seed: z.number().int().default(0),
    epochs: z.number().int().min(0).default(20),
    input: InputConfig.default(InputConfig.parse({})),
    optimizer: OptimizerConfig.default(OptimizerConfig.parse({})),
    selection: SelectionConfig.default(SelectionConfig.parse({})),
    /** Method hyper-parameters, validated by the method's own schema. */
    hp: z.record(z.string(), z.unknown()).default({}),
    /** Synthetic presets only: generation settings (recorded so that a result names the exact data it saw). */
    synth: z
      .object({
        size: z.number().int().positive(),
        seed: z.number().int().default(0),
        /** Cells and glands drawn this many times larger (the CPU default inputs are small). */
        magnification: z.number().positive().default(1),
        counts: z
          .object({
            train: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
            valcl: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
            test: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
            valpx: z.number().int().positive(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /**
     * Start the encoder from another run's kept snapshot (e.g. the cached pretraining of a CPU backbone variant on
     * synthetic tissue), instead of random initialisation or Keras weights.
     */
    encoderInit: z
      .object({
        /** JSON header with `prefix` and `blob` (a trainer BlobRef) beside its .bin, e.g. a shipped pretraining; a relative
         *  path is relative to the repository root (as the benchmark configs write it), not to the working directory. */
        file: z.string(),
      })
      .strict()
      .optional(),
    /**
     * A training loss above lossFactor x max(first step's loss, 1), or a non-finite loss or weight, fails the run
     * (absent: lossFactor 1e4).
     */
    divergence: z.object({ lossFactor: z.number().positive() }).strict().optional(),
    /** Local path of Keras ImageNet weights (no download at run time). */
    weights: z.string().optional(),
    /** Where result records and checkpoints go. */
    resultsDir: z.string().default('results'),
  })
  .strict();
export type RunConfig = z.infer<typeof RunConfig>;

/** Parse with messages that name the offending field (unknown keys included). */
export function parseStrict<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(root)';
    // zod names unknown keys in its message already ("Unrecognized key: \"x\""): add them only where it does not.
    const named = 'keys' in i && Array.isArray(i.keys) ? i.keys.map((k: unknown) => String(k)) : [];
    const keys = named.some((k) => !i.message.includes(k)) ? ` ${named.map((k) => `'${k}'`).join(', ')}` : '';
    return `  ${path}: ${i.message}${keys}`;
  });
  throw new Error(`Invalid ${what}:\n${lines.join('\n')}`);
}
