import type { RunConfig } from '@wslbench/core';
import { baseConfig } from './grid.js';

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
    // than the pretrained encoder's fine-tuning to learn in 4 epochs: lr 0.01, decoder 0.1.
    case 'negev':
    case 'unet':
      return { optimizer: { ...base.optimizer, lr: 0.01, headLrMultiplier: 10 } };
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
  return out;
}

/** A cell's resolved training config: the base config with its overrides (no data or encoder fields). */
export function cellConfig(method: string, backbone: string, dataset: string): RunConfig {
  const base = baseConfig(method, backbone, dataset);
  return { ...base, ...cellOverrides(method, backbone, dataset, base) };
}
