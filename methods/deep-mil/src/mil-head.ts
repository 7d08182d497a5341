import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, type ParamStore } from '@wslbench/core';

export interface MilHeadOptions {
  inChannels: number;
  numClasses: number;
  /** Channels of the attention MLP (reference `mil_mid_channels` = 128). */
  midChannels: number;
  /** Gated attention (Ilse et al. Eq. 9): tanh(V h) ⊙ sigmoid(U h). */
  gated: boolean;
}

/**
 * Attention-based MIL head (Ilse et al. 2018; reference `mil.DeepMil`): every position of the last feature map is an
 * instance. Attention logits per class from a 1x1-conv MLP, softmax over the positions per class, the
 * attention-weighted feature z_c = Σ_p a_cp F_p, and a per-class linear score logit_c = w_c · z_c + b_c.
 */
export class MilHead {
  readonly attentionV: Conv2d;
  readonly attentionU?: Conv2d;
  readonly attentionW: Conv2d;
  /** Column c holds the weights of class c's linear score: [C_F, C]. */
  readonly classifier: tf.Variable;
  readonly classifierBias: tf.Variable;

  constructor(params: ParamStore, opts: MilHeadOptions, name = 'classification_head') {
    const conv = (suffix: string, inChannels: number, outChannels: number) =>
      new Conv2d(params, `${name}.${suffix}`, {
        inChannels,
        outChannels,
        kernel: 1,
        padding: 'valid',
        group: 'head',
        init: { kind: 'xavierUniform' },
      });
    this.attentionV = conv('attention_v', opts.inChannels, opts.midChannels);
    if (opts.gated) this.attentionU = conv('attention_u', opts.inChannels, opts.midChannels);
    this.attentionW = conv('attention_w', opts.midChannels, opts.numClasses);
    // Xavier of each class's Linear(C_F -> 1): bound sqrt(6 / (C_F + 1)).
    const bound = Math.sqrt(6 / (opts.inChannels + 1));
    this.classifier = params.add(
      `${name}.classifier.kernel`,
      [opts.inChannels, opts.numClasses],
      { kind: 'uniform', bound },
      'head',
    );
    this.classifierBias = params.add(`${name}.classifier.bias`, [opts.numClasses], { kind: 'zeros' }, 'head');
  }

  /** Attention [N, C, h*w]: for each class, a softmax over the positions (each row sums to 1). */
  attention(features: tf.Tensor4D): tf.Tensor3D {
    const [n, h, w] = features.shape;
    let hidden: tf.Tensor4D = tf.tanh(this.attentionV.apply(features));
    if (this.attentionU) hidden = tf.mul(hidden, tf.sigmoid(this.attentionU.apply(features)));
    const scores = this.attentionW.apply(hidden); // [N, h, w, C]
    const c = scores.shape[3];
    return tf.softmax(tf.transpose(tf.reshape(scores, [n, h * w, c]), [0, 2, 1])) as tf.Tensor3D;
  }

  /** `attention` [N, C, h*w] and `logits` [N, C]. */
  apply(features: tf.Tensor4D): { attention: tf.Tensor3D; logits: tf.Tensor2D } {
    const [n, h, w, cf] = features.shape;
    const attention = this.attention(features);
    const pooled = tf.matMul(attention, tf.reshape(features, [n, h * w, cf])); // z: [N, C, C_F]
    const weights = tf.expandDims(tf.transpose(this.classifier), 0); // [1, C, C_F]
    const logits = tf.add(tf.sum(tf.mul(pooled, weights), 2), this.classifierBias) as tf.Tensor2D;
    return { attention, logits };
  }
}
