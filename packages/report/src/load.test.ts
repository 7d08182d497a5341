import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultPath, writeJsonAtomic } from '@wslbench/core';
import { loadRecords, recordToPercent } from './load.js';
import { fixtureRecord } from './testing/fixtures.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wsl-load-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadRecords', () => {
  test('reads the records the trainer writes for every dataset kind, folder datasets of older runs included', () => {
    // The trainer writes at join(resultsDir, resultPath(record)); a folder dataset of an older run had an absolute id.
    const datasets = ['synth-glas', 'glas', 'folder-0123456789ab', '/tmp/some/ds'];
    for (const d of datasets) {
      const r = recordToPercent(fixtureRecord(d, 'cam', 'vgg16:w0.125', 0, 0.5, 0.8));
      writeJsonAtomic(join(dir, resultPath(r)), r);
    }
    const loaded = loadRecords(dir);
    expect(loaded.map((l) => l.record.dataset).sort()).toEqual([...datasets].sort());
    expect(loaded.map((l) => l.file)).toContain('runs/tmp/some/ds/cam/vgg16_w0.125/f0-s0.json');
  });
});
