import * as tf from '@tensorflow/tfjs-core';

export type SplitName = 'train' | 'valcl' | 'valpx' | 'test';

/** A batch as the trainer hands it to a method. Images are normalised (mean/std), NHWC float32. */
export interface Batch {
  images: tf.Tensor4D;
  /** Class ids, int32 [N]. */
  labels: tf.Tensor1D;
  /** Pixel masks [N, H, W] at the image geometry: 1 = foreground, 0 = background, 255 = ignore. */
  masks?: tf.Tensor3D;
  /** True for fully negative samples (CAMELYON normal patches: no ROI pixel). */
  fullyNegative: boolean[];
  ids: string[];
}

export interface ClassEncoding {
  /** name -> id, e.g. { benign: 0, malignant: 1 }. */
  [className: string]: number;
}

export interface BatchOptions {
  batchSize: number;
  /** train: square resize -> random crop -> flips -> colour jitter, shuffled, last batch filled by repeats.
   *  eval: square resize to input.eval, file order, last batch partial. */
  mode: 'train' | 'eval';
  input: { resize: number; crop: number; eval: number };
  /** Seeded stream for shuffling and augmentation (required in train mode). */
  rng?: import('./seeds.js').Rng;
  /** Load pixel masks into the batch (always for eval; for train only when a method trains on masks or needs geometry). */
  withMasks?: boolean;
  /** Per-channel normalisation (ImageNet by default). */
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
}

/** A dataset split by the protocol's split files, as the trainer consumes it. Implemented by @wslbench/data. */
export interface DatasetSource {
  /** e.g. 'synth-glas', 'glas', 'camelyon16'. */
  readonly id: string;
  readonly encoding: ClassEncoding;
  readonly numClasses: number;
  /** True when some samples have no ROI pixel at all (CAMELYON normal patches). */
  readonly hasFullyNegative: boolean;
  size(split: SplitName): number;
  /** Batches of a split; the consumer disposes each batch's tensors. */
  batches(split: SplitName, opts: BatchOptions): AsyncIterable<Batch>;
}

/** Releases a batch's tensors (images, labels and masks when present). */
export function disposeBatch(b: Pick<Batch, 'images' | 'labels' | 'masks'>): void {
  tf.dispose([b.images, b.labels, ...(b.masks ? [b.masks] : [])]);
}
