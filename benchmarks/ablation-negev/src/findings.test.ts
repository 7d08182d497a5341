import type { ResultRecord } from '@wslbench/core';
import { PerImageHistograms } from '@wslbench/metrics';
import { decisiveRival, paperFindings, renderFindingsMarkdown, verdictOf } from './findings.js';

// Test maps of one foreground and one background pixel... as 4 identical images per run, so a resample of images
// does not change a run's PxAP: P = perfect (100), H = foreground below background (50), S = 83.3 (1/2 + 1/3).
const MAPS = {
  P: { map: [0.9, 0.1], mask: [1, 0], pxap: 1 },
  H: { map: [0.2, 0.8], mask: [1, 0], pxap: 0.5 },
  S: { map: [0.9, 0.5, 0.3, 0.1], mask: [1, 0, 1, 0], pxap: 5 / 6 },
};

function rec(dataset: string, method: string, backbone: string, seed: number, kind: keyof typeof MAPS): ResultRecord {
  const m = MAPS[kind];
  const h = new PerImageHistograms();
  for (let k = 0; k < 4; k++) h.add(m.map, m.mask, `img${k}`);
  return {
    schema: 'wslbench/result@1',
    status: 'ok',
    method,
    backbone,
    dataset,
    fold: 0,
    seed,
    config: {},
    selection: [],
    bestLocalizationEpoch: 1,
    bestClassificationEpoch: 1,
    test: { pxap: m.pxap, clAccuracy: 0.9, iou: 0.5, dice: 0.6, bestTau: 0.5, perImage: h.toJSON() },
    durations: { trainS: 1, evalS: 1, totalS: 2 },
    env: { backend: 'cpu', tfjsVersion: '4.22.0', node: 'v20', platform: 'linux', packages: {}, commit: null },
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

const runs = (ds: string, method: string, backbone: string, kinds: (keyof typeof MAPS)[]) =>
  kinds.map((k, seed) => rec(ds, method, backbone, seed, k));

const G = 'synth-glas';
const C = 'synth-camelyon';
const board = [
  ...['vgg16:w0.125', 'resnet50:w0.125'].flatMap((b) => [
    ...runs(G, 'cam', b, ['H', 'H', 'H']),
    ...runs(G, 'gradcam', b, ['S', 'S', 'S']),
    ...runs(G, 'unet', b, ['P', 'P', 'P']),
  ]),
  ...runs(G, 'negev', 'vgg16:w0.125', ['P', 'P', 'P']),
  ...runs(G, 'negev', 'resnet50:w0.125', ['P', 'H', 'H']),
  ...runs(C, 'cam', 'vgg16:w0.125', ['H', 'H', 'H']),
  ...runs(C, 'gradcam', 'vgg16:w0.125', ['S', 'S', 'S']),
  ...runs(C, 'negev', 'vgg16:w0.125', ['P', 'P', 'P']),
];
const R = 'resnet50:w0.125';
const ablation = new Map<string, ResultRecord[]>([
  ['cam', [rec(G, 'cam', R, 0, 'H'), rec(C, 'cam', R, 0, 'H')]],
  ['default', [rec(G, 'negev', R, 0, 'P'), rec(C, 'negev', R, 0, 'H')]],
  ['selection=static', [rec(G, 'negev', R, 0, 'H'), rec(C, 'negev', R, 0, 'P')]],
  ['n=10', [rec(G, 'negev', R, 0, 'S')]],
  ['lambda=0.01', [rec(G, 'negev', R, 0, 'P')]],
  ['fullyNegative=false', [rec(C, 'negev', R, 0, 'P')]],
]);

describe('paperFindings', () => {
  const findings = paperFindings({ board, ablation, datasets: [G, C], bootstrap: { replicates: 2000 } });
  const row = (finding: string, where: string) => {
    const f = findings.find((x) => x.finding === finding && x.where === where);
    if (!f)
      throw new Error(
        `no finding '${finding}' at '${where}' in ${findings.map((x) => `${x.finding}@${x.where}`).join('; ')}`,
      );
    return f;
  };

  test('NEGEV > CAM per backbone and on the mean: holds, or not when a seed ties (hand-computed CIs)', () => {
    // VGG: +50 at every seed. ResNet: +50, 0, 0 -> mean 16.7, and all three draws from seeds 1-2 (p = 8/27) give 0.
    expect(row('NEGEV > CAM', 'Synthetic GlaS · vgg16')).toMatchObject({
      paper: '81.3 vs 68.5 (+12.8)',
      ours: '+50.0 [+50.0, +50.0] (3 seeds)',
      verdict: 'holds',
    });
    expect(row('NEGEV > CAM', 'Synthetic GlaS · resnet50')).toMatchObject({
      ours: '+16.7 [+0.0, +50.0] (3 seeds)',
      verdict: 'does not hold (CI includes 0)',
    });
    // Mean of (50) and (50, 0, 0): 33.3; its lowest replicates draw seeds 1-2 only on ResNet: (50 + 0) / 2.
    expect(row('NEGEV > CAM', 'Synthetic GlaS · mean over backbones')).toMatchObject({
      ours: '+33.3 [+25.0, +50.0] (3 seeds)',
      verdict: 'holds',
    });
    expect(row('NEGEV > CAM', 'Synthetic CAMELYON16 · vgg16').verdict).toBe('holds');
  });

  test('"best" claims compare with every rival and show the closest', () => {
    // NEGEV - GradCAM: VGG +16.7 at every seed, ResNet +16.7, -33.3, -33.3: mean (16.7 - 16.7) / 2 = 0, a tie. The
    // replicates range from (16.7 - 33.3) / 2 (ResNet seeds 1-2 only) to 16.7 (seed 0 only, p = 1/27 > 2.5 %).
    // On CAMELYON NEGEV 100 beats GradCAM 83.3 and CAM 50.
    expect(row('NEGEV the best weakly supervised method', 'Synthetic GlaS · mean over backbones')).toMatchObject({
      ours: 'vs GradCAM: +0.0 [−8.3, +16.7] (3 seeds)',
      verdict: 'does not hold (CI includes 0)',
    });
    expect(row('NEGEV the best weakly supervised method', 'Synthetic CAMELYON16 · vgg16')).toMatchObject({
      ours: 'vs GradCAM: +16.7 [+16.7, +16.7] (3 seeds)',
      verdict: 'holds',
    });
    expect(row('U-Net above every weakly supervised method', 'Synthetic GlaS · mean over backbones').verdict).toBe(
      'does not hold (CI includes 0)',
    );
    expect(row('U-Net above every weakly supervised method', 'Synthetic CAMELYON16 · vgg16').verdict).toBe(
      'no records',
    );
  });

  test('ablation claims: holds, reversed, tie, and the paper cells of the backbone used', () => {
    expect(row('random > static sampling', 'Synthetic GlaS · resnet50')).toMatchObject({
      paper: '82.0 vs static 76.5 (+5.5)',
      ours: '+50.0 [+50.0, +50.0] (1 seed)',
      verdict: 'holds',
    });
    expect(row('random > static sampling', 'Synthetic CAMELYON16 · resnet50').verdict).toBe('does not hold (reversed)');
    expect(row('D⁻ helps on CAMELYON-like data', 'Synthetic CAMELYON16 · resnet50')).toMatchObject({
      paper: '52.6 vs without D⁻ 30.2 (+22.4)',
      ours: '−50.0 [−50.0, −50.0] (1 seed)',
      verdict: 'does not hold (reversed)',
    });
    expect(findings.some((f) => f.finding.startsWith('D⁻') && f.where.startsWith('Synthetic GlaS'))).toBe(false);
    // Ours against the n that has records (10); the paper's column against its best other n (5000 on ResNet GlaS).
    expect(row('n = 1 the best n', 'Synthetic GlaS · resnet50')).toMatchObject({
      paper: '82.0 vs n = 5000 82.7 (−0.7)',
      ours: '+16.7 [+16.7, +16.7] (1 seed)',
      verdict: 'holds',
    });
    expect(row('λ = 1 the best λ', 'Synthetic GlaS · resnet50').verdict).toBe('does not hold (CI includes 0)');
    expect(row('n = 1 the best n', 'Synthetic CAMELYON16 · resnet50').verdict).toBe('no records');
  });

  test('without records every claim is listed with the paper numbers and "no records"', () => {
    const none = paperFindings({ board: [], ablation: new Map(), datasets: [G] });
    expect(none.map((f) => `${f.finding} @ ${f.where}`)).toEqual([
      'NEGEV > CAM @ Synthetic GlaS · vgg16',
      'NEGEV > CAM @ Synthetic GlaS · inceptionv3',
      'NEGEV > CAM @ Synthetic GlaS · resnet50',
      'NEGEV > CAM @ Synthetic GlaS · mean over backbones',
      'NEGEV the best weakly supervised method @ Synthetic GlaS · mean over backbones',
      'U-Net above every weakly supervised method @ Synthetic GlaS · mean over backbones',
      'random > static sampling @ Synthetic GlaS · mean over backbones',
      'n = 1 the best n @ Synthetic GlaS · mean over backbones',
      'λ = 1 the best λ @ Synthetic GlaS · mean over backbones',
    ]);
    expect(none.every((f) => f.verdict === 'no records')).toBe(true);
    expect(none[7]!.paper).toBe('77.8 vs n = 4 72.5 (+5.3)');
  });

  test('verdicts and the Markdown table', () => {
    expect(verdictOf([])).toBe('no records');
    const md = renderFindingsMarkdown(findings, ['Sources: fixture.']);
    expect(md).toContain('| finding | where | paper (PxAP %) | ours: difference [95 % CI] | verdict |');
    expect(md).toContain(
      '| NEGEV > CAM | Synthetic GlaS · vgg16 | 81.3 vs 68.5 (+12.8) | +50.0 [+50.0, +50.0] (3 seeds) | holds |',
    );
    expect(md).toContain('- Sources: fixture.');
  });

  test('the rival shown is the one that decides the verdict', () => {
    const d = (diff: number, lo: number, hi: number) => ({
      reference: 'x',
      diff,
      lo,
      hi,
      significant: lo > 0 || hi < 0,
      runs: ['f0-s0', 'f0-s1'],
      images: 60,
    });
    const names = ['n = 500', 'n = 2', 'n = 3'];
    // n = 500 has the lowest estimate, but n = 2's CI lies below 0: it is the reversal.
    const reversed = [d(-4.7, -10.4, 3.6), d(-2.0, -3.0, -1.0), d(1.0, 0.5, 2.0)];
    expect(verdictOf(reversed)).toBe('does not hold (reversed)');
    expect(decisiveRival(reversed, names)).toBe('vs n = 2: −2.0 [−3.0, −1.0] (2 seeds)');
    const open = [d(3.0, 1.0, 5.0), d(0.5, -1.0, 2.0), d(-1.0, -4.0, 2.0)];
    expect(verdictOf(open)).toBe('does not hold (CI includes 0)');
    expect(decisiveRival(open, names)).toBe('vs n = 3: −1.0 [−4.0, +2.0] (2 seeds)');
    const holds = [d(3.0, 1.0, 5.0), d(2.0, 0.5, 3.5), d(4.0, 2.0, 6.0)];
    expect(decisiveRival(holds, names)).toBe('vs n = 2: +2.0 [+0.5, +3.5] (2 seeds)');
  });
});
