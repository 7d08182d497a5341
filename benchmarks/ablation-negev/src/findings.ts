/**
 * The paper's findings, tested on the synthetic benchmark: each claim with the paper's numbers, ours as a paired
 * difference with its bootstrap CI (@wslbench/report pairedDifferences: test images and seeds resampled), and a
 * verdict. A claim "A > B" holds when the CI of A - B lies above 0; it does not hold when it lies below 0 (reversed)
 * or contains 0 (not shown). "A is the best" holds when A is significantly above every alternative.
 *
 * Inputs: the main board's records (NEGEV > CAM, NEGEV the best weakly supervised mean, U-Net above all) and the NEGEV
 * ablation's records (D⁻, random vs static sampling, n, λ), each ablation run labelled by its row key.
 */
import { describeMethod, type ResultRecord } from '@wslbench/core';
import { listMethods } from '@wslbench/registry';
import {
  type BootstrapSettings,
  DEFAULT_BOOTSTRAP,
  datasetInfo,
  fmtDelta,
  methodInfo,
  noteMethods,
  type PairedDifference,
  pairedDifferences,
  paperTableFor,
  paperValue,
  parseBackbone,
} from '@wslbench/report';
import { variantKey } from './ablations.js';
import {
  PAPER_BACKBONES,
  PAPER_TABLE2,
  PAPER_TABLE3,
  PAPER_TABLE4,
  PAPER_TABLE5,
  type PaperCells,
} from './paper-tables.js';

export type Verdict = 'holds' | 'does not hold (reversed)' | 'does not hold (CI includes 0)' | 'no records';

export interface Finding {
  finding: string;
  /** Dataset · backbone (or mean). */
  where: string;
  paper: string;
  ours: string;
  verdict: Verdict;
}

export interface FindingsInput {
  /** The main board's records (scores as fractions, as loadRecords gives them). */
  board: readonly ResultRecord[];
  /** The ablation's records by row key: 'cam' or a NEGEV variant key (ablations.ts variantKey), e.g. 'n=10'. */
  ablation: ReadonlyMap<string, readonly ResultRecord[]>;
  datasets: readonly string[];
  bootstrap?: Partial<BootstrapSettings>;
}

const f1 = (x: number) => x.toFixed(1);
const ci = (d: PairedDifference) =>
  `${fmtDelta(d.diff)} [${fmtDelta(d.lo)}, ${fmtDelta(d.hi)}] (${d.runs.length} seed${d.runs.length === 1 ? '' : 's'})`;

/** Verdict of "target is above every alternative" from the differences target - alternative. */
export function verdictOf(diffs: readonly (PairedDifference | undefined)[]): Verdict {
  if (!diffs.length || diffs.some((d) => !d)) return 'no records';
  const ds = diffs as PairedDifference[];
  if (ds.some((d) => d.hi < 0)) return 'does not hold (reversed)';
  if (ds.every((d) => d.lo > 0)) return 'holds';
  return 'does not hold (CI includes 0)';
}

/**
 * The difference shown beside a verdict: the rival that decides it. Reversed: the lowest estimate among the rivals
 * whose CI lies below 0; CI includes 0: the lowest among those whose CI reaches 0; holds: the closest competitor.
 */
export function decisiveRival(diffs: (PairedDifference | undefined)[], names: string[]): string {
  const known = diffs.flatMap((d, i) => (d ? [{ d, i }] : []));
  const lowest = (pred: (d: PairedDifference) => boolean) =>
    known.filter((x) => pred(x.d)).sort((a, b) => a.d.diff - b.d.diff)[0];
  const pick = lowest((d) => d.hi < 0) ?? lowest((d) => d.lo <= 0) ?? lowest(() => true);
  if (!pick) return '—';
  return diffs.length === 1 ? ci(pick.d) : `vs ${names[pick.i]}: ${ci(pick.d)}`;
}

type Diffs = Map<string, Map<string, Map<string, PairedDifference>>>;
const get = (d: Diffs, column: string, target: string, ref: string) => d.get(column)?.get(target)?.get(ref);

/** The columns a claim is checked on: the mean over backbones when there are several, else the one backbone. */
function summaryColumn(records: readonly ResultRecord[]): { column: string; backbone: string } | null {
  const bases = [...new Set(records.map((r) => parseBackbone(r.backbone).base))].sort();
  if (!bases.length) return null;
  return bases.length >= 2 ? { column: 'mean', backbone: 'mean' } : { column: bases[0]!, backbone: bases[0]! };
}

const paperIndex = (backbone: string) =>
  backbone === 'mean' ? 3 : PAPER_BACKBONES.indexOf(backbone as (typeof PAPER_BACKBONES)[number]);

function paperCell(cells: PaperCells, paperDataset: 'glas' | 'camelyon16', backbone: string): number | null {
  const i = paperIndex(backbone);
  return i < 0 ? null : (cells[paperDataset][i] ?? null);
}

const backboneLabel = (b: string) => (b === 'mean' ? 'mean over backbones' : b);

export function paperFindings(input: FindingsInput): Finding[] {
  const settings = { ...DEFAULT_BOOTSTRAP, ...input.bootstrap };
  const table1 = paperTableFor('pxap');
  const out: Finding[] = [];
  for (const ds of input.datasets) {
    const info = datasetInfo(ds);
    const pds = info.paperDataset ?? (/camelyon/.test(ds) ? 'camelyon16' : 'glas');
    const board = input.board.filter((r) => r.dataset === ds && r.status === 'ok' && r.test);
    const recorded = [...new Set(board.map((r) => r.method))].sort();
    // Without records, every registered method (rows say 'no records', with the paper's numbers).
    noteMethods(listMethods().map((m) => ({ method: m.id, methodInfo: describeMethod(m) })));
    const methods = recorded.length ? recorded : listMethods().map((m) => m.id);
    const weak = methods.filter((m) => methodInfo(m).group === 'weakly-supervised');
    const diffs = pairedDifferences(board, ds, methods, settings);
    const p1 = (method: string, backbone: string) => paperValue(table1, methodInfo(method).paperKey, pds, backbone);
    const where = (b: string) => `${info.display} · ${backboneLabel(b)}`;

    // 1. NEGEV > CAM on every backbone (and their mean).
    // Without records, the paper's backbones (rows say 'no records').
    const seen = [...new Set(board.map((r) => parseBackbone(r.backbone).base))].sort();
    const bases = seen.length ? seen : [...PAPER_BACKBONES];
    for (const b of [...bases, ...(bases.length >= 2 ? ['mean'] : [])]) {
      const d = get(diffs, b, 'negev', 'cam');
      const pn = p1('negev', b);
      const pc = p1('cam', b);
      out.push({
        finding: 'NEGEV > CAM',
        where: where(b),
        paper: pn !== null && pc !== null ? `${f1(pn)} vs ${f1(pc)} (${fmtDelta(pn - pc)})` : '—',
        ours: d ? ci(d) : '—',
        verdict: verdictOf([d]),
      });
    }

    // 2. NEGEV has the best weakly supervised mean; 3. U-Net is above every weakly supervised method.
    const col = summaryColumn(board) ?? { column: 'mean', backbone: 'mean' };
    {
      const best = (target: string, rivals: string[], finding: string) => {
        const ds_ = rivals.map((m) => get(diffs, col.column, target, m));
        const paperRivals = rivals
          .map((m) => ({ m, v: p1(m, col.backbone) }))
          .filter((x): x is { m: string; v: number } => x.v !== null);
        const top = paperRivals.sort((a, b) => b.v - a.v)[0];
        const pt = p1(target, col.backbone);
        out.push({
          finding,
          where: where(col.backbone),
          paper:
            pt !== null && top
              ? `${f1(pt)}; next: ${methodInfo(top.m).display} ${f1(top.v)} (${fmtDelta(pt - top.v)})`
              : '—',
          ours: rivals.length
            ? decisiveRival(
                ds_,
                rivals.map((m) => methodInfo(m).display),
              )
            : '—',
          verdict: rivals.length ? verdictOf(ds_) : 'no records',
        });
      };
      best(
        'negev',
        weak.filter((m) => m !== 'negev'),
        'NEGEV the best weakly supervised method',
      );
      best('unet', weak, 'U-Net above every weakly supervised method');
    }

    // Ablations: each row's runs labelled by its key, compared within the dataset.
    const hasNeg = info.paperDataset === 'camelyon16' || /camelyon/.test(ds);
    const abl: ResultRecord[] = [];
    for (const [key, rs] of input.ablation)
      for (const r of rs) if (r.dataset === ds && r.status === 'ok' && r.test) abl.push({ ...r, method: key });
    const keys = [...new Set(abl.map((r) => r.method))];
    const ablDiffs = pairedDifferences(abl, ds, keys, settings);
    const acol = summaryColumn(abl);
    type Rival = { key: string; label: string; paper: PaperCells };
    /** `paperRivals`: every alternative the paper has; ours compares with those that have records (all, if none). */
    const claim = (finding: string, target: string, paperRivals: Rival[], paperTarget: PaperCells) => {
      const withRecords = paperRivals.filter((r) => keys.includes(r.key));
      const rivals = withRecords.length ? withRecords : paperRivals;
      const b = acol?.backbone ?? 'mean';
      const ds_ = rivals.map((r) => (acol ? get(ablDiffs, acol.column, target, r.key) : undefined));
      const pt = paperCell(paperTarget, pds, b);
      const pr = paperRivals
        .map((r) => ({ label: r.label, v: paperCell(r.paper, pds, b) }))
        .filter((x) => x.v !== null);
      const top = pr.sort((x, y) => y.v! - x.v!)[0];
      out.push({
        finding,
        where: where(b),
        paper: pt !== null && top ? `${f1(pt)} vs ${top.label} ${f1(top.v!)} (${fmtDelta(pt - top.v!)})` : '—',
        ours: decisiveRival(
          ds_,
          rivals.map((r) => r.label),
        ),
        verdict: verdictOf(ds_),
      });
    };
    const ours = variantKey({}, hasNeg);
    if (hasNeg)
      claim(
        'D⁻ helps on CAMELYON-like data',
        ours,
        [
          {
            key: variantKey({ evidence: 'both', fullyNegative: false }, true),
            label: 'without D⁻',
            paper: PAPER_TABLE2.both,
          },
        ],
        PAPER_TABLE2.bothFullyNegative,
      );
    claim(
      'random > static sampling',
      ours,
      [{ key: variantKey({ selection: 'static' }, hasNeg), label: 'static', paper: PAPER_TABLE3.static }],
      PAPER_TABLE3.random,
    );
    const nOthers = Object.keys(PAPER_TABLE4)
      .map(Number)
      .filter((n) => n !== 1);
    claim(
      'n = 1 the best n',
      ours,
      nOthers.map((n) => ({ key: variantKey({ n }, hasNeg), label: `n = ${n}`, paper: PAPER_TABLE4[n]! })),
      PAPER_TABLE4[1]!,
    );
    const lambdas = Object.keys(PAPER_TABLE5)
      .map(Number)
      .filter((l) => l !== 1);
    claim(
      'λ = 1 the best λ',
      ours,
      lambdas.map((l) => ({ key: variantKey({ lambda: l }, hasNeg), label: `λ = ${l}`, paper: PAPER_TABLE5[l]! })),
      PAPER_TABLE5[1]!,
    );
  }
  return out;
}

/** The findings as a Markdown table with a short method note. */
export function renderFindingsMarkdown(findings: readonly Finding[], sources: string[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    "# The paper's findings on the synthetic benchmark",
    '',
    'Generated by `@wslbench/bench-ablation-negev` (findings.ts); never edited by hand.',
    '',
    '| finding | where | paper (PxAP %) | ours: difference [95 % CI] | verdict |',
    '| :-- | :-- | :-- | :-- | :-- |',
    ...findings.map((f) => `| ${[f.finding, f.where, f.paper, f.ours, f.verdict].map(esc).join(' | ')} |`),
    '',
    '- Ours: the paired difference of test PxAP (claimed winner minus the rival that decides the verdict: one whose ' +
      'CI lies below 0, else one whose CI reaches 0, else the closest; in points), the mean over ' +
      'runs at the same seed, with a 95 % bootstrap CI resampling the test images and the seeds (1000 replicates, ' +
      'seeded). A claim holds when the CI lies above 0; a "best" claim when it does against every alternative.',
    "- Paper: the NEGEV paper's Tables 1-5 (real GlaS / CAMELYON16, full-size backbones); synthetic stand-ins are " +
      'compared in direction, not level.',
    ...sources.map((s) => `- ${s}`),
    '',
  ];
  return lines.join('\n');
}
