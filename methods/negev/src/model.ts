import * as tf from '@tensorflow/tfjs-core';
import type {
  BackboneInstance,
  BuildContext,
  ForwardContext,
  MethodModel,
  ParamGroup,
  WeightSnapshot,
} from '@wslbench/core';
import { buildUnetDecoder, type UnetDecoder } from '@wslbench/decoder';
import { buildWgap, classActivationMaps, WGAP_HEAD_PREFIX, type WgapModel, wgapHead } from '@wslbench/heads';
import { minMaxNormalize, nanToNum, upsampleMaps } from '@wslbench/metrics';

export interface NegevModel extends MethodModel {
  readonly classifier: WgapModel;
  readonly decoder: UnetDecoder;
  /**
   * Frozen classifier in inference mode (BN running stats, no dropout) + decoder (its BN in `training` mode).
   * Returns the classifier's features and logits and the segmentation logits [N, H, W, 2].
   */
  forward(images: tf.Tensor4D, training: boolean): { features: tf.Tensor4D; logits: tf.Tensor2D; seg: tf.Tensor4D };
  /** Pseudo-label CAMs C [N, H, W] for `classes`: CAM at feature resolution, min-max, half-pixel bilinear to H x W. */
  pseudoLabelCams(features: tf.Tensor4D, classes: number[], size: [number, number]): tf.Tensor3D;
  /** Puts the CAM run's weights back once, at first use (see README: guards against a later backbone init). */
  ensureFrozenWeights(): void;
}

export interface NegevBuildOptions {
  decoderScale: number;
  decoderLrGroup: 'reference' | 'base' | 'head';
}

/** Parameter-name prefix of the CAM classifier's head, frozen with the encoder. */
export const CLASSIFIER_HEAD_PREFIX = WGAP_HEAD_PREFIX;

/**
 * Reference lr group of the decoder: names outside the backbone's "feature" patterns get 10x lr, which puts the
 * decoder in the base group for ResNet (only layer4 + head are 10x) and in the head group for VGG / Inception.
 */
export function referenceDecoderGroup(backboneId: string): ParamGroup {
  return backboneId === 'resnet50' ? 'base' : 'head';
}

export function buildNegev(
  backbone: BackboneInstance,
  ctx: BuildContext<unknown>,
  opts: NegevBuildOptions,
): NegevModel {
  const pretrained = ctx.pretrained;
  if (!pretrained) {
    throw new Error(
      "NEGEV needs the trained CAM classifier (BuildContext.pretrained = { method: 'cam', weights }): " +
        'train CAM on the same dataset, backbone, fold and seed first',
    );
  }
  if (pretrained.method !== 'cam')
    throw new Error(`NEGEV needs the weights of a 'cam' run, got weights of '${pretrained.method}'`);
  const classifier = buildWgap(backbone, ctx);
  const classifierHead = wgapHead(classifier);
  const group = opts.decoderLrGroup === 'reference' ? referenceDecoderGroup(backbone.id) : opts.decoderLrGroup;
  const decoder = buildUnetDecoder(ctx.params, backbone, { scale: opts.decoderScale, group });

  const frozenPrefixes = [backbone.prefix, CLASSIFIER_HEAD_PREFIX];
  const restoreFrozen = (snap: WeightSnapshot) => {
    const missing = ctx.params
      .all()
      .filter((p) => frozenPrefixes.some((f) => p.name.startsWith(f)) && !snap[p.name])
      .map((p) => p.name);
    if (missing.length) {
      throw new Error(
        `NEGEV: the CAM classifier weights lack ${missing.length} parameter(s) of the encoder / classification head ` +
          `(e.g. ${missing.slice(0, 5).join(', ')}); were they trained with the same backbone and width?`,
      );
    }
    try {
      for (const prefix of frozenPrefixes) ctx.params.restore(snap, { strict: true, prefix });
    } catch (e) {
      throw new Error(`NEGEV: cannot load the CAM classifier weights: ${(e as Error).message}`);
    }
  };
  restoreFrozen(pretrained.weights);
  for (const prefix of frozenPrefixes) ctx.params.setTrainable(prefix, false);
  backbone.setBatchNormFrozen(true);
  let pendingSnapshot: WeightSnapshot | undefined = pretrained.weights;

  const encoderCtx: ForwardContext = { training: false };
  return {
    backbone,
    params: ctx.params,
    classifier,
    decoder,
    forward(images, training) {
      const { features, stages } = backbone.forward(images, encoderCtx);
      const logits = classifierHead(features);
      // The classifier's variables are non-trainable, so the gradient tape never reaches back into the encoder.
      const seg = decoder.apply(stages, [images.shape[1], images.shape[2]], { training });
      return { features, logits, seg };
    },
    pseudoLabelCams(features, classes, size) {
      return tf.tidy(() => {
        const cams = classActivationMaps(features, classifier.fc.kernel as tf.Tensor2D, classes);
        return tf.clipByValue(nanToNum(upsampleMaps(minMaxNormalize(cams), size)), 0, 1) as tf.Tensor3D;
      });
    },
    ensureFrozenWeights() {
      if (!pendingSnapshot) return;
      restoreFrozen(pendingSnapshot);
      pendingSnapshot = undefined;
    },
    dispose() {
      ctx.params.dispose();
    },
  };
}
