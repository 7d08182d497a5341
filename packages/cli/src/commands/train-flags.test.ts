import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  test('sets epochs to 0 (the trainer refuses epochs 0 without it) and makes epoch 0 selectable', () => {
    expect(runConfigFromFlags(flags({})).epochs).toBe(20);
    expect(runConfigFromFlags(flags({ evaluateOnly: true })).epochs).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'wsl-flags-'));
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ selection: { every: 1, fromEpoch: 1 }, epochs: 4 }));
    const fromFile = runConfigFromFlags(flags({ config, evaluateOnly: true }));
    expect([fromFile.epochs, fromFile.selection.fromEpoch, fromFile.selection.every]).toEqual([0, 0, 1]);
    expect(runConfigFromFlags(flags({ config })).selection.fromEpoch).toBe(1);
    rmSync(dir, { recursive: true });
    expect(runConfigFromFlags(flags({ evaluateOnly: true, epochs: '0' })).epochs).toBe(0);
  });

  test('cannot go with a number of epochs to train', () => {
    expect(() => runConfigFromFlags(flags({ evaluateOnly: true, epochs: '3' }))).toThrow(
      /--evaluate-only trains no epoch; it cannot go with --epochs 3/,
    );
  });
});

describe('wslbench train --divergence-factor', () => {
  test('sets the run config divergence bound; a non-positive factor is refused naming the field', () => {
    expect(runConfigFromFlags(flags({})).divergence).toBeUndefined();
    expect(runConfigFromFlags(flags({ divergenceFactor: '100' })).divergence).toEqual({ lossFactor: 100 });
    expect(() => runConfigFromFlags(flags({ divergenceFactor: '0' }))).toThrow(/divergence\.lossFactor/);
    expect(() => runConfigFromFlags(flags({ divergenceFactor: 'big' }))).toThrow(
      /--divergence-factor: expected a number, got 'big'/,
    );
  });
});
