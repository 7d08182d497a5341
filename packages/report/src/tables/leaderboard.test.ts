import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultPath } from '@wslbench/core';
import { loadRecords, recordToPercent } from '../load.js';
import { fixtureRecord, writeFixtureResults } from '../testing/fixtures.js';
import { leaderboardTable } from './leaderboard.js';
import { renderCompactTerminal, renderMarkdown, renderTerminal } from './render.js';
import { writeLeaderboard } from './write.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wslbench-report-tables-'));
  await writeFixtureResults(dir, { maps: false });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = () => loadRecords(dir).map((l) => l.record);
const S8 = Math.sqrt(8); // sample std of {60, 64} and of {33, 37}

describe('leaderboardTable', () => {
  it('PxAP in the Table 1 layout with paper values, deltas and Kendall tau (hand-written expectations)', () => {
    const m = leaderboardTable(records(), { metric: 'pxap', paper: true });
    expect(m.columns.map((c) => c.key)).toEqual([
      'synth-glas/vgg16',
      'synth-glas/resnet50',
      'synth-glas/mean',
      'synth-camelyon/vgg16',
      'synth-camelyon/resnet50',
      'synth-camelyon/mean',
    ]);
    expect(m.columns.map((c) => c.backboneDisplay)).toEqual(['VGG', 'ResNet', 'Mean', 'VGG', 'ResNet', 'Mean']);
    expect(m.columns[0]!.backboneIds).toEqual(['vgg16:w0.125']);
    expect(m.rows.map((r) => r.display)).toEqual(['CAM', 'GradCAM', 'NEGEV', 'U-Net']);
    expect(m.rows.map((r) => r.group)).toEqual([
      'weakly-supervised',
      'weakly-supervised',
      'weakly-supervised',
      'fully-supervised',
    ]);

    const expected: Record<string, (number | null)[][]> = {
      // [ours mean, std, n, paper]
      cam: [
        [62, S8, 2, 68.5],
        [55, null, 1, 64.4],
        [58.5, null, 1, (68.5 + 64.4) / 2],
        [30, null, 1, 25.4],
        [35, S8, 2, 27.5],
        [32.5, null, 1, (25.4 + 27.5) / 2],
      ],
      gradcam: [
        [85, null, 1, 75.7],
        [66, null, 1, 70.0],
        [75.5, null, 1, (75.7 + 70.0) / 2],
        [40, null, 1, 40.2],
        [null, null, 0, 29.1],
        [null, null, 0, (40.2 + 29.1) / 2],
      ],
      negev: [
        [80, null, 1, 81.3],
        [78, null, 1, 82.0],
        [79, null, 1, (81.3 + 82.0) / 2],
        [60, null, 1, 70.3],
        [50, null, 1, 52.6],
        [55, null, 1, (70.3 + 52.6) / 2],
      ],
      unet: [
        [95, null, 1, 96.8],
        [93, null, 1, 96.4],
        [94, null, 1, (96.8 + 96.4) / 2],
        [85, null, 1, 83.0],
        [80, null, 1, 83.6],
        [82.5, null, 1, (83.0 + 83.6) / 2],
      ],
    };
    for (const row of m.rows) {
      row.cells.forEach((c, j) => {
        const [mu, sd, n, paper] = expected[row.method]![j]!;
        const where = `${row.method} ${m.columns[j]!.key}`;
        if (mu === null) expect({ where, mean: c.mean }).toEqual({ where, mean: null });
        else expect(c.mean).toBeCloseTo(mu!, 9);
        if (sd === null) expect({ where, std: c.std }).toEqual({ where, std: null });
        else expect(c.std).toBeCloseTo(sd!, 9);
        expect({ where, n: c.n }).toEqual({ where, n });
        expect(c.paper).toBeCloseTo(paper!, 9);
        if (mu === null) expect(c.delta).toBeNull();
        else expect(c.delta).toBeCloseTo(mu! - paper!, 9);
      });
    }
    expect(m.rows[0]!.cells[0]!.seeds).toEqual([0, 1]);
    // synth-glas VGG: ours CAM < NEGEV < GradCAM < U-Net, paper CAM < GradCAM < NEGEV < U-Net: 5 C, 1 D.
    expect(m.kendall![0]!.tau).toBeCloseTo(4 / 6, 12);
    expect(m.kendall![0]!.n).toBe(4);
    expect(m.kendall![4]).toEqual({ tau: 1, n: 3 });
    expect(m.notes.join('\n')).toContain('synthetic stand-in');
    expect(m.notes.join('\n')).toContain('synth-camelyon/gradcam/resnet50:w0.125/f0-s0 (loss became NaN)');
  });

  it('CL accuracy in the Table 6 layout: Table 6 has no NEGEV / U-Net rows', () => {
    const m = leaderboardTable(records(), { metric: 'clAccuracy', paper: true, datasets: ['synth-glas'] });
    expect(m.columns.map((c) => c.key)).toEqual(['synth-glas/vgg16', 'synth-glas/resnet50', 'synth-glas/mean']);
    const cam = m.rows.find((r) => r.method === 'cam')!.cells[0]!;
    expect(cam.mean).toBeCloseTo(85, 9);
    expect(cam.std).toBeCloseTo(Math.sqrt(50), 9);
    expect(cam.paper).toBe(100);
    expect(cam.delta).toBeCloseTo(-15, 9);
    const negev = m.rows.find((r) => r.method === 'negev')!.cells[0]!;
    expect(negev.mean).toBeCloseTo(90, 9);
    expect(negev.paper).toBeNull();
    expect(negev.delta).toBeNull();
  });

  it('renders Markdown exactly as hand-written', () => {
    const m = leaderboardTable(records(), { metric: 'pxap', datasets: ['synth-camelyon'] });
    expect(renderMarkdown(m)).toBe(
      [
        '| Method | Synthetic CAMELYON16 · VGG | Synthetic CAMELYON16 · ResNet | Synthetic CAMELYON16 · Mean |',
        '| :-- | --: | --: | --: |',
        '| *Weakly-supervised* | | | |',
        '| CAM | 30.0 | 35.0 ± 2.8 | 32.5 |',
        '| GradCAM | 40.0 | — | — |',
        '| NEGEV | 60.0 | 50.0 | 55.0 |',
        '| *Fully-supervised* | | | |',
        '| U-Net | 85.0 | 80.0 | 82.5 |',
        '',
        '- Synthetic CAMELYON16 · VGG: backbone vgg16:w0.125.',
        '- Synthetic CAMELYON16 · ResNet: backbone resnet50:w0.125.',
        '- 1 run(s) without test scores excluded: synth-camelyon/gradcam/resnet50:w0.125/f0-s0 (loss became NaN).',
        '- Cells: mean ± sample std over runs (seeds × folds).',
      ].join('\n'),
    );
  });

  it('renders a terminal table (cli-table3, no colour codes) with paper values and tau', () => {
    const out = renderTerminal(leaderboardTable(records(), { metric: 'pxap', paper: true, datasets: ['synth-glas'] }));
    expect(out).not.toContain('\u001b[');
    expect(out).toContain('62.0 ± 2.8');
    expect(out).toContain('paper 68.5, Δ −6.5');
    expect(out).toContain('paper 75.7, Δ +9.3');
    expect(out).toMatch(/Kendall τ vs paper\s+│ 0\.67 \(n=4\)/);
    expect(out).toContain('Synthetic GlaS');
  });

  it('writeLeaderboard writes leaderboard-<group>.json and .md for the group', () => {
    const files = writeLeaderboard(dir, 'synthetic');
    expect(files.json).toBe(join(dir, 'leaderboard-synthetic.json'));
    const json = JSON.parse(readFileSync(files.json, 'utf8'));
    expect(json.runs).toBe(18);
    expect(json.pxap.rows[0].cells[0].mean).toBeCloseTo(62, 9);
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toContain('| CAM | 62.0 ± 2.8 (paper 68.5, Δ −6.5) |');
    expect(md).toContain('Classification accuracy');
    const empty = writeLeaderboard(dir, 'paper');
    expect(readFileSync(empty.markdown, 'utf8')).toContain('No result records yet');
    expect(() => writeLeaderboard(dir, 'synthtic')).toThrow("unknown dataset group 'synthtic'");
  });

  it('writeLeaderboard with `only` reads just those record files (a benchmark board without stray seeds)', () => {
    const all = loadRecords(dir);
    const cam = all.filter((l) => l.record.method === 'cam' && l.record.dataset === 'synth-glas');
    expect(cam.length).toBe(3); // two vgg16 seeds (62.0 ± 2.8) and one resnet50 run
    const keep = cam.filter((l) => !(l.record.backbone.startsWith('vgg16') && l.record.seed !== cam[0]!.record.seed));
    const only = new Set(keep.map((l) => l.file));
    expect(only.size).toBe(2);
    const json = JSON.parse(readFileSync(writeLeaderboard(dir, 'synthetic', { only }).json, 'utf8'));
    expect(json.runs).toBe(2);
    expect(json.pxap.rows.map((r: { display: string }) => r.display)).toEqual(['CAM']);
    expect(json.pxap.rows[0].cells[0].n).toBe(1);
    expect(loadRecords(dir, new Set(['runs/none.json']))).toEqual([]);
    writeLeaderboard(dir, 'synthetic'); // leave the full board for the other tests
  });
});

describe('loadRecords rejects bad input with the file and field named', () => {
  const bad = (mutate: (r: any) => void, where?: string) => {
    const d = mkdtempSync(join(tmpdir(), 'wslbench-report-bad-'));
    const rec: any = recordToPercent(fixtureRecord('synth-glas', 'cam', 'vgg16', 0, 0.5, 0.9));
    mutate(rec);
    const p = join(d, where ?? resultPath(rec));
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, JSON.stringify(rec));
    try {
      loadRecords(d);
      return '';
    } catch (e) {
      return (e as Error).message;
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  };
  it('a score out of [0, 100], misplaced file, schema violation', () => {
    expect(bad((r) => (r.test.pxap = 157.3))).toMatch(
      /runs\/synth-glas\/cam\/vgg16\/f0-s0\.json: test\.pxap = 157\.3 is not a percentage/,
    );
    expect(bad(() => {}, 'runs/synth-glas/cam/vgg16/f0-s1.json')).toContain(
      "record fields say it belongs at 'runs/synth-glas/cam/vgg16/f0-s0.json'",
    );
    expect(bad((r) => delete r.selection)).toMatch(/f0-s0\.json: not a valid result record: selection/);
    const perClass = (pxap: number) => [
      { pxap: 40, foregroundFraction: 0.38, images: 30 },
      { pxap, foregroundFraction: 0.64, images: 30 },
    ];
    expect(bad((r) => (r.test.pxapPerClass = perClass(101)))).toMatch(
      /f0-s0\.json: test\.pxapPerClass\[1\]\.pxap = 101 is not a percentage/,
    );
    expect(bad((r) => (r.test.pxapPerClass = perClass(67.9)))).toBe('');
    expect(bad(() => {})).toBe('');
  });
});

describe('paired differences and the compact terminal board', () => {
  it('every PxAP cell carries its paired difference to CAM and NEGEV; U-Net is significantly above CAM', () => {
    const m = leaderboardTable(records(), {
      metric: 'pxap',
      paired: { references: ['cam', 'negev'], replicates: 300 },
    });
    expect(m.pairedWith).toEqual({ references: ['cam', 'negev'], replicates: 300, seed: 0, level: 0.95 });
    const row = (id: string) => m.rows.find((r) => r.method === id)!;
    const glasVgg = m.columns.findIndex((c) => c.key === 'synth-glas/vgg16');
    expect(row('cam').cells[glasVgg]!.paired!.cam).toBeNull();
    const unet = row('unet').cells[glasVgg]!.paired!.cam!;
    // Only seed 0 is shared (U-Net has no seed 1): exact 95 - 60 = 35 points.
    expect(unet.runs).toEqual(['f0-s0']);
    expect(unet.diff).toBeCloseTo(35, 9);
    expect(unet.lo).toBeGreaterThan(0);
    expect(unet.significant).toBe(true);
    expect(unet.lo).toBeLessThanOrEqual(unet.diff);
    expect(unet.hi).toBeGreaterThanOrEqual(unet.diff);
    // The failed GradCAM ResNet run on synth-camelyon has no pair.
    const camResnet = m.columns.findIndex((c) => c.key === 'synth-camelyon/resnet50');
    expect(row('gradcam').cells[camResnet]!.paired).toEqual({ cam: null, negev: null });
    // Mean column: the mean of the backbones' differences.
    const glasMean = m.columns.findIndex((c) => c.key === 'synth-glas/mean');
    const unetRes = row('unet').cells[glasMean - 1]!.paired!.cam!;
    expect(row('unet').cells[glasMean]!.paired!.cam!.diff).toBeCloseTo((unet.diff + unetRes.diff) / 2, 9);
    expect(() => leaderboardTable(records(), { metric: 'clAccuracy', paired: { references: ['cam'] } })).toThrow(
      /PxAP only/,
    );
  });

  it('the compact terminal board has one line per method, fits 120 columns and marks significance', () => {
    const m = leaderboardTable(records(), { metric: 'pxap', paper: true, paired: { references: ['cam', 'negev'] } });
    const lines = renderCompactTerminal(m).split('\n');
    expect(lines.length).toBe(2 + m.rows.length + 1);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(120);
    expect(lines[0]).toMatch(/^PxAP \(%\)\s+Synthetic GlaS\s+Synthetic CAMELYON16$/);
    expect(lines[2]).toMatch(/^CAM\s+62\.0±2\.8\s+55\.0\s+30\.0\s+35\.0±2\.8$/);
    expect(lines[5]).toMatch(/^U-Net\s+95\.0 ▲/);
    expect(lines.join('\n')).not.toContain('paper');
  });

  it('the Markdown has a paired-difference table per reference', () => {
    const md = readFileSync(writeLeaderboard(dir, 'synthetic').markdown, 'utf8');
    expect(md).toContain('## PxAP: paired difference to CAM (percent points, 95 % CI; * = significant)');
    expect(md).toContain('## PxAP: paired difference to NEGEV');
    expect(md).toMatch(/\| U-Net \| \+35\.0 \[\+\d+\.\d, \+\d+\.\d\] \* \|/);
  });
});
