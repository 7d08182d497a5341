import * as tf from '@tensorflow/tfjs-core';
import type {
  AnyMethod,
  ClassPxap,
  DatasetSource,
  EvalScores,
  InputConfig,
  LocalizeContext,
  MethodModel,
  SplitName,
} from '@wslbench/core';
import { disposeBatch } from '@wslbench/core';
import { AccuracyCounter, nanToNum, PerImageHistograms, PxapAccumulator, upsampleMaps } from '@wslbench/metrics';

export interface SplitEvalOptions {
  input: InputConfig;
  batchSize: number;
  /** Compute PxAP from the maps of `method.localize` for the ground-truth class. */
  localization: boolean;
  /** Compute CL accuracy from `method.classify`. */
  classification: boolean;
  /** Context handed to localize (its rng is the evaluation's own stream). */
  ctx: LocalizeContext<unknown>;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  signal?: AbortSignal;
  /** Called with every batch's upsampled maps (e.g. to save a few for galleries); the arrays are only valid during the call. */
  onMaps?: (b: EvalMaps) => Promise<void> | void;
}

/** One evaluated batch: normalised NHWC images, maps [N,H,W] in [0,1] at mask size, masks (1/0/255). */
export interface EvalMaps {
  ids: string[];
  n: number;
  height: number;
  width: number;
  images: Float32Array;
  imageShape: number[];
  maps: Float32Array;
  masks: Int32Array | Float32Array | Uint8Array;
}

export interface SplitEvalResult {
  /** Percent; null when localization was not asked for. */
  pxap: number | null;
  clAccuracy: number | null;
  /** Full PxAP result (curve, best operating point). */
  pxapDetail: ReturnType<PxapAccumulator['compute']> | null;
  /** Foreground / (foreground + background) pixels of the split's masks (= PxAP of a constant map / 100). */
  foregroundFraction: number | null;
  /** The same PxAP restricted to each class's images, by class id (null when localization was not asked for). */
  perClass: ClassPxap[] | null;
  /** Each image's score histograms (bootstraps over images); null when localization was not asked for. */
  perImage: PerImageHistograms | null;
  images: number;
}

/**
 * One pass over a split in eval mode (square resize to input.eval, file order). Maps are computed for the GT class,
 * upsampled with half-pixel-centre bilinear to the mask size, NaN -> 0, and pooled into one PxAP accumulator.
 * localize runs inside tf.tidy, which does not block gradients (gradient CAMs work unchanged).
 */
export async function evaluateSplit(
  method: AnyMethod,
  model: MethodModel,
  dataset: DatasetSource,
  split: SplitName,
  opts: SplitEvalOptions,
): Promise<SplitEvalResult> {
  const acc = opts.localization ? new PxapAccumulator() : null;
  const classes = opts.localization
    ? Array.from({ length: dataset.numClasses }, () => ({ acc: new PxapAccumulator(), fg: 0, bg: 0, images: 0 }))
    : null;
  const cl = opts.classification ? new AccuracyCounter() : null;
  const perImage = opts.localization ? new PerImageHistograms() : null;
  let fg = 0;
  let bg = 0;
  let images = 0;
  const batches = dataset.batches(split, {
    batchSize: opts.batchSize,
    mode: 'eval',
    input: opts.input,
    withMasks: opts.localization,
    mean: opts.mean,
    std: opts.std,
  });
  for await (const batch of batches) {
    try {
      opts.signal?.throwIfAborted();
      const labels = Array.from(await batch.labels.data());
      images += labels.length;
      if (cl) {
        const logits = tf.tidy(() => method.classify(model, batch.images));
        try {
          cl.add(logits, labels);
        } finally {
          logits.dispose();
        }
      }
      if (acc) {
        if (!batch.masks) throw new Error(`Dataset '${dataset.id}' gave a ${split} batch without masks in eval mode`);
        const [n, h, w] = batch.masks.shape;
        const maps = tf.tidy(() => {
          const raw = method.localize(model, batch.images, labels, opts.ctx);
          if (raw.shape[0] !== n)
            throw new Error(`${method.id}.localize returned ${raw.shape[0]} maps for ${n} images`);
          return nanToNum(upsampleMaps(raw, [h, w]));
        });
        const mapData = (await maps.data()) as Float32Array;
        maps.dispose();
        const maskData = await batch.masks.data();
        if (opts.onMaps)
          await opts.onMaps({
            ids: batch.ids,
            n,
            height: h,
            width: w,
            images: (await batch.images.data()) as Float32Array,
            imageShape: batch.images.shape,
            maps: mapData,
            masks: maskData as Int32Array,
          });
        const px = h * w;
        for (let i = 0; i < n; i++) {
          const mask = maskData.subarray(i * px, (i + 1) * px);
          const map = mapData.subarray(i * px, (i + 1) * px);
          acc.accumulate(map, mask, `${split} image ${batch.ids[i] ?? i}`);
          const own = classes![labels[i]!];
          if (!own)
            throw new Error(
              `${split} image ${batch.ids[i] ?? i}: label ${labels[i]} outside 0..${dataset.numClasses - 1}`,
            );
          own.acc.accumulate(map, mask);
          perImage!.add(map, mask, batch.ids[i] ?? String(images - n + i));
          own.images++;
          for (let k = 0; k < px; k++) {
            if (mask[k] === 1) {
              fg++;
              own.fg++;
            } else if (mask[k] === 0) {
              bg++;
              own.bg++;
            }
          }
        }
      }
    } finally {
      disposeBatch(batch);
    }
  }
  if (images === 0) throw new Error(`Dataset '${dataset.id}': split '${split}' is empty`);
  const pxapDetail = acc ? acc.compute() : null;
  return {
    pxap: pxapDetail ? pxapDetail.pxap : null,
    clAccuracy: cl ? cl.compute() : null,
    pxapDetail,
    foregroundFraction: acc ? fg / (fg + bg) : null,
    perClass:
      classes?.map((c) => ({
        pxap: c.fg > 0 ? c.acc.compute().pxap : null,
        foregroundFraction: c.fg + c.bg > 0 ? c.fg / (c.fg + c.bg) : 0,
        images: c.images,
      })) ?? null,
    perImage,
    images,
  };
}

/** Test scores as the record stores them: PxAP with its PR curve, CL accuracy, IoU/Dice at the best operating point. */
export function toEvalScores(r: SplitEvalResult, withCurve = true): EvalScores {
  const d = r.pxapDetail;
  if (!d || r.clAccuracy === null) throw new Error('toEvalScores needs both localization and classification results');
  const scores: EvalScores = {
    pxap: d.pxap,
    clAccuracy: r.clAccuracy,
    iou: d.best.iouFg,
    dice: d.best.diceFg,
    bestTau: d.best.tau,
  };
  if (r.perClass) scores.pxapPerClass = r.perClass;
  if (r.perImage) scores.perImage = r.perImage.toJSON();
  if (withCurve) {
    // Points without any positive prediction have no precision (NaN); the PxAP sum skips them, so does the curve.
    const precision: number[] = [];
    const recall: number[] = [];
    const thresholds: number[] = [];
    for (let j = 0; j < d.precision.length; j++) {
      if (d.tp[j]! + d.fp[j]! === 0) continue;
      precision.push(d.precision[j]!);
      recall.push(d.recall[j]!);
      thresholds.push(d.thresholds[j]!);
    }
    scores.curve = { precision, recall, thresholds };
  }
  return scores;
}
