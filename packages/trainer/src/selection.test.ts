import type { SelectionEntry } from '@wslbench/core';
import { selectedEpoch } from './selection.js';

const history = (pxaps: number[], accs: number[] = pxaps.map(() => 50)): SelectionEntry[] =>
  pxaps.map((pxap, epoch) => ({ epoch, pxap, clAccuracy: accs[epoch]!, trainLoss: null, lr: null }));

describe('selectedEpoch', () => {
  test('the highest score wins; ties go to the latest epoch', () => {
    expect(selectedEpoch(history([10, 30, 20]), 'best_localization', 0)).toBe(1);
    expect(selectedEpoch(history([10, 30, 30, 20]), 'best_localization', 0)).toBe(2);
    expect(selectedEpoch(history([40, 40, 40]), 'best_localization', 0)).toBe(2);
  });

  test('best_classification reads the valcl accuracy, not the PxAP', () => {
    const h = history([50, 10, 20], [60, 90, 90]);
    expect(selectedEpoch(h, 'best_localization', 0)).toBe(0);
    expect(selectedEpoch(h, 'best_classification', 0)).toBe(2);
  });

  test('epochs before fromEpoch never compete, however well they score', () => {
    const h = history([90, 10, 20, 15]);
    expect(selectedEpoch(h, 'best_localization', 0)).toBe(0);
    expect(selectedEpoch(h, 'best_localization', 1)).toBe(2);
    expect(selectedEpoch(h, 'best_localization', 3)).toBe(3);
  });

  test('null while no evaluated epoch is eligible', () => {
    expect(selectedEpoch([], 'best_localization', 0)).toBeNull();
    expect(selectedEpoch(history([10, 20]), 'best_localization', 2)).toBeNull();
  });

  test('works on an uneven cadence (the entries, not their positions, carry the epochs)', () => {
    const h: SelectionEntry[] = [0, 2, 4].map((epoch, i) => ({
      epoch,
      pxap: [5, 7, 7][i]!,
      clAccuracy: 50,
      trainLoss: null,
      lr: null,
    }));
    expect(selectedEpoch(h, 'best_localization', 0)).toBe(4);
    expect(selectedEpoch(h, 'best_localization', 3)).toBe(4);
  });
});
