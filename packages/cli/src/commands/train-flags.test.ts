import { runConfigFromFlags } from './train.js';

const flags = (extra: Record<string, unknown>) =>
  ({
    method: 'cam',
    backbone: 'vgg16',
    dataset: 'synth-glas',
    hp: [],
    pretrainedCheckpoint: 'best_localization',
    ...extra,
  }) as Parameters<typeof runConfigFromFlags>[0];

describe('wslbench train --evaluate-only', () => {
  test('sets epochs to 0 (the trainer refuses epochs 0 without it)', () => {
    expect(runConfigFromFlags(flags({})).epochs).toBe(20);
    expect(runConfigFromFlags(flags({ evaluateOnly: true })).epochs).toBe(0);
    expect(runConfigFromFlags(flags({ evaluateOnly: true, epochs: '0' })).epochs).toBe(0);
  });

  test('cannot go with a number of epochs to train', () => {
    expect(() => runConfigFromFlags(flags({ evaluateOnly: true, epochs: '3' }))).toThrow(
      /--evaluate-only trains no epoch; it cannot go with --epochs 3/,
    );
  });
});
