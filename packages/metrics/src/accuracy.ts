/**
 * Classification accuracy in percent: 100 * mean(argmax(logits) == label), as the reference computes CL accuracy
 * on valcl/test. argmax takes the first maximum (and a NaN logit as the maximum, like torch/numpy).
 */
import * as tf from '@tensorflow/tfjs-core';
import { npArgmax } from './operating-point.js';

export type LogitsInput = tf.Tensor | ArrayLike<number>[];
export type LabelsInput = tf.Tensor | ArrayLike<number>;

function rowsOf(logits: LogitsInput): ArrayLike<number>[] {
  if (!(logits instanceof tf.Tensor)) return logits;
  if (logits.rank !== 2) throw new RangeError(`logits must be [N, C], got shape [${logits.shape.join(', ')}]`);
  const [n, c] = logits.shape as [number, number];
  const data = logits.dataSync();
  return Array.from({ length: n }, (_, i) => data.subarray(i * c, (i + 1) * c));
}

function labelsOf(labels: LabelsInput): ArrayLike<number> {
  if (!(labels instanceof tf.Tensor)) return labels;
  if (labels.rank !== 1) throw new RangeError(`labels must be [N], got shape [${labels.shape.join(', ')}]`);
  return labels.dataSync();
}

/** Streaming counter of correct predictions over batches. */
export class AccuracyCounter {
  correct = 0;
  total = 0;

  /** Adds a batch; tensors are read, not disposed. */
  add(logits: LogitsInput, labels: LabelsInput): this {
    const rows = rowsOf(logits);
    const ys = labelsOf(labels);
    if (rows.length !== ys.length) throw new RangeError(`accuracy: ${rows.length} logit rows but ${ys.length} labels`);
    rows.forEach((row, i) => {
      const y = ys[i]!;
      if (!Number.isInteger(y) || y < 0 || y >= row.length) {
        throw new RangeError(`accuracy: label ${y} at index ${i} is not a class index in 0..${row.length - 1}`);
      }
      if (npArgmax(row) === y) this.correct++;
    });
    this.total += rows.length;
    return this;
  }

  merge(other: AccuracyCounter): this {
    this.correct += other.correct;
    this.total += other.total;
    return this;
  }

  /** Percent; an error when nothing was added. */
  compute(): number {
    if (this.total === 0) throw new Error('accuracy of an empty set');
    return (100 * this.correct) / this.total;
  }
}

export function accuracy(logits: LogitsInput, labels: LabelsInput): number {
  return new AccuracyCounter().add(logits, labels).compute();
}
