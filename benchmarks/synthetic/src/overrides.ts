import { parseBackboneId } from '@wslbench/backbones';
import type { RunConfig } from '@wslbench/core';
import { getMethod } from '@wslbench/registry';
import { baseConfig, UNET_EPOCHS } from './grid.js';
import { reuseCamRunHp } from './shared-training.js';

/**
 * The decoder scale that gives a width-scaled backbone the paper's decoder (256-128-64-32-16 channels): decoder
 * channels are 256-128-... x width x decoderScale, and at width 1/8 without it the last block had 2 channels.
 */
export function fullDecoderScale(backbone: string): number {
  return 1 / (parseBackboneId(backbone).width ?? 1);
}

/**
 * Per-cell departures from the base config, each with its reason. The base fine-tunes gently: encoder lr 1e-4 and the
 * new heads at 100x (0.01). Measured on CAM from the pretrained encoders over 4 epochs of 8 steps: the encoder at 1e-3
 * (the reference's ratio, 10x heads) loses its pretrained features before the random heads have learned (training
 * loss stays at ln 2 on synth-camelyon, CL at chance); with the encoder at 1e-4 the heads learn in one epoch.
 * The heads' multiplier was chosen per backbone on a {10, 30, 100, 300} grid by the mean validation CL (valcl,
 * epochs 1-4) of the seven wave-1 methods on both presets: VGG16 100x (73.4 / 96.6 % synth-camelyon / synth-glas,
 * against 73.0 / 96.2 at 300x and 70.0 / 95.6 at 30x), InceptionV3 100x (71.8 / 92.5; 300x 69.5 / 92.9), ResNet50 30x
 * (70.0 / 81.5; 100x 63.8 / 81.5, 10x 69.8 / 76.0).
 */
export function cellOverrides(method: string, backbone: string, _dataset: string, base: RunConfig): Partial<RunConfig> {
  switch (method) {
    // A freshly initialised decoder (the reference trains NEGEV's at lr 0.1 for 1000 epochs) needs a far higher lr
    // than the pretrained encoder's fine-tuning to learn in a few epochs: lr 0.01, decoder 0.1.
    // NEGEV's decoder is the U-Net's, with the paper's channels: on valpx (seed 0, 8 epochs, best epoch, mean of the
    // three backbones, synth-glas / synth-camelyon) the width-scaled decoder scored 55.3 / 59.6, the paper's 64.3 / 70.8.
    case 'negev':
      return {
        optimizer: { ...base.optimizer, lr: 0.01, headLrMultiplier: 10 },
        hp: { ...base.hp, decoderScale: fullDecoderScale(backbone) },
      };
    // The upper bound gets the paper's decoder and is trained to its plateau (see UNET_EPOCHS). Measured on valpx
    // (seed 0, best epoch, mean of the three backbones, synth-glas / synth-camelyon): width-scaled decoder (last block
    // 2 channels) 80.9 / 77.1 at 16 epochs, 81.3 / 77.2 at 24; the paper's channels 88.6 / 84.5 at 16, 88.7 / 84.9 at 24.
    // Learning rates (seeds 0 and 1, 16 epochs, same means): every parameter at 0.01, lr x0.1 at epoch 8 (the NEGEV
    // recipe): 88.7 / 74.2, one VGG16 synth-camelyon seed never learned (valpx 44); encoder 1e-3 and decoder 1e-2
    // (lrGroups 'decoder'): 87.9 / 84.8; the same without a step (stepSize = the epochs): 89.0 / 86.3, chosen.
    case 'unet':
      return {
        epochs: UNET_EPOCHS,
        optimizer: { ...base.optimizer, lr: 0.001, headLrMultiplier: 10, stepSize: UNET_EPOCHS },
        hp: { ...base.hp, decoderScale: fullDecoderScale(backbone), lrGroups: 'decoder' },
      };
  }
  const out: Partial<RunConfig> = {};
  // ResNet50's 256-channel pooled features are larger: its heads overshoot at 0.01 (synth-camelyon training loss
  // 1.1-1.6 after epoch 1 for MAX-POOL, LSE, Deep MIL) and learn at 0.003.
  if (backbone.startsWith('resnet50')) out.optimizer = { ...base.optimizer, headLrMultiplier: 30 };
  // ADL with NEGEV's defaults (drop rate 0.4, threshold 0.1) zeroes every position above 10 % of the maximum
  // attention at each of its layers in 40 % of the steps: the classifier stayed at ln 2 for 4 epochs in all six
  // cells. wsolevaluation's defaults (0.75, drop only above 80 % of the maximum) learn (VGG16 synth-glas training loss
  // 0.19 after 4 epochs, valcl 100 %).
  if (method === 'adl') out.hp = { ...base.hp, dropRate: 0.75, threshold: 0.8 };
  // The gradient CAMs (the methods declaring hp reuseCamRun) explain a classifier; they share CAM's training (one
  // training per backbone, dataset and seed serves all six; each method still selects its own epoch on valpx with its
  // own maps), so their paired difference to CAM measures the map alone, and the six trainings cost one.
  const shared = reuseCamRunHp(getMethod(method), base.hp);
  if (shared) out.hp = shared;
  return out;
}

/** A cell's resolved training config: the base config with its overrides (no data or encoder fields). */
export function cellConfig(method: string, backbone: string, dataset: string): RunConfig {
  const base = baseConfig(method, backbone, dataset);
  return { ...base, ...cellOverrides(method, backbone, dataset, base) };
}
