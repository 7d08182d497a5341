import type { ClassPxap, ResultRecord } from '@wslbench/core';
import { renderPerClassHtml } from '../html/table.js';
import { recordToFractions, recordToPercent } from '../load.js';
import { fixtureRecord } from '../testing/fixtures.js';
import { perClassTable, renderPerClassMarkdown } from './per-class.js';

/** A fixture record (fractions, as loadRecords returns them) carrying per-class PxAP. */
function withClasses(r: ResultRecord, perClass: ClassPxap[] | null): ResultRecord {
  return perClass ? { ...r, test: { ...r.test!, pxapPerClass: perClass } } : r;
}
const glas = (benign: number, malignant: number): ClassPxap[] => [
  { pxap: benign, foregroundFraction: 0.38, images: 30 },
  { pxap: malignant, foregroundFraction: 0.64, images: 30 },
];
const camelyon = (tumor: number): ClassPxap[] => [
  { pxap: null, foregroundFraction: 0, images: 30 },
  { pxap: tumor, foregroundFraction: 0.6, images: 30 },
];
const records = () => [
  withClasses(fixtureRecord('synth-glas', 'cam', 'vgg16:w0.125', 0, 0.5, 0.9), glas(0.3, 0.7)),
  withClasses(fixtureRecord('synth-glas', 'cam', 'vgg16:w0.125', 1, 0.52, 0.9), glas(0.34, 0.66)),
  withClasses(fixtureRecord('synth-glas', 'negev', 'vgg16:w0.125', 0, 0.7, 0.9), glas(0.6, 0.8)),
  // An older record without per-class scores: left out, not counted as zero.
  withClasses(fixtureRecord('synth-glas', 'gradcam', 'vgg16:w0.125', 0, 0.6, 0.9), null),
  withClasses(fixtureRecord('synth-camelyon', 'cam', 'vgg16:w0.125', 0, 0.3, 0.7), camelyon(0.72)),
];

describe('per-class PxAP table', () => {
  it('one column per class with foreground, means over runs, † below the class foreground fraction', () => {
    const m = perClassTable(records());
    expect(m.columns.map((c) => `${c.dataset}/${c.backbone}/${c.className}`)).toEqual([
      'synth-glas/vgg16/benign',
      'synth-glas/vgg16/malignant',
      'synth-camelyon/vgg16/tumor',
    ]);
    expect(m.rows.map((r) => r.method)).toEqual(['cam', 'negev']);
    expect(m.rows[0]!.cells[0]).toBeCloseTo(0.32, 12);
    expect(m.rows[0]!.cells[1]).toBeCloseTo(0.68, 12);
    expect(m.rows[1]!.cells[2]).toBeNull();
    expect(renderPerClassMarkdown(m).split('\n').slice(0, 5)).toEqual([
      '| Method | Synthetic GlaS · VGG · benign | Synthetic GlaS · VGG · malignant | Synthetic CAMELYON16 · VGG · tumor |',
      '| :-- | --: | --: | --: |',
      '| *foreground fraction* | *38.0* | *64.0* | *60.0* |',
      '| CAM | 32.0 † | 68.0 | 72.0 |',
      '| NEGEV | 60.0 | 80.0 | — |',
    ]);
    expect(renderPerClassMarkdown(perClassTable([]))).toContain('No record carries per-class PxAP');
    const html = renderPerClassHtml(m);
    expect(html).toContain('benign<br><small>fg 38.0</small>');
    expect(html).toContain('<th scope="row">CAM</th><td class="below">32.0</td><td>68.0</td><td>72.0</td>');
  });

  it('percent <-> fraction conversion scales per-class PxAP with the pooled PxAP (null stays null)', () => {
    const r = withClasses(fixtureRecord('synth-camelyon', 'cam', 'vgg16', 0, 0.3, 0.7), camelyon(0.72));
    const pct = recordToPercent(r);
    expect(pct.test!.pxapPerClass!.map((c) => c.pxap)).toEqual([null, 72]);
    expect(pct.test!.pxapPerClass![1]!.foregroundFraction).toBe(0.6);
    expect(recordToFractions(pct).test!.pxapPerClass![1]!.pxap).toBeCloseTo(0.72, 12);
  });
});
