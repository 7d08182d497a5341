import type { RunConfig } from '@wslbench/core';

/**
 * The paper's protocol (NEGEV, MIDL 2022, following Choe et al. 2020) for a GPU user: GlaS and CAMELYON16 patches,
 * full-width VGG16 / InceptionV3 / ResNet50 WSOL forms started from Keras ImageNet weights, 256 -> 224 crops,
 * batch 32, SGD Nesterov, 10x lr for heads, step schedule. Epochs: 1000 on GlaS (step 250), 20 on CAMELYON16
 * (inferred from the survey's model-selection figure; the step is not published).
 */
export const PAPER_DATASETS = ['glas', 'camelyon16'] as const;
export const PAPER_BACKBONES = ['vgg16', 'inceptionv3', 'resnet50'] as const;

const KERAS_FILES: Record<string, string> = {
  vgg16: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
  inceptionv3: 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
  resnet50: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
};

/** lr of the reference README commands: CAM-family 0.003, NEGEV 0.1 (its decoder); U-Net as the classifiers. */
function lrFor(method: string): number {
  return method === 'negev' ? 0.1 : 0.003;
}

export function paperConfig(method: string, backbone: string, dataset: string): RunConfig {
  const glas = dataset === 'glas';
  return {
    method,
    backbone,
    dataset,
    fold: 0,
    seed: 0,
    epochs: glas ? 1000 : 20,
    input: { resize: 256, crop: 224, eval: 224 },
    optimizer: {
      lr: lrFor(method),
      momentum: 0.9,
      nesterov: true,
      weightDecay: 1e-4,
      batchSize: 32,
      headLrMultiplier: 10,
      stepSize: glas ? 250 : 10,
      gamma: 0.1,
      minLr: 1e-6,
    },
    selection: { every: 1, report: 'best_localization', fromEpoch: 0 },
    hp: {},
    resultsDir: 'results',
    // Keras applications ImageNet files, looked up relative to the working directory (see README).
    weights: `weights/${KERAS_FILES[backbone]}`,
  };
}
