import type { NegevHyperparams } from '@wslbench/method-negev';
import { PAPER_CAM, PAPER_TABLE2, PAPER_TABLE3, PAPER_TABLE4, PAPER_TABLE5, type PaperCells } from './paper-tables.js';

/** One row of an ablation table: the CAM baseline, or a NEGEV run with these hyper-parameters. */
export interface AblationRow {
  label: string;
  run: 'cam' | Partial<NegevHyperparams>;
  paper: PaperCells;
  /** The row only exists on datasets with fully negative samples (Table 2, + D⁻). */
  needsFullyNegative?: boolean;
}

export interface AblationTable {
  id: 'table2' | 'table3' | 'table4' | 'table5';
  title: string;
  rows: AblationRow[];
}

export const TABLE_IDS = ['table2', 'table3', 'table4', 'table5'] as const;

const N_FULL = [1, 2, 3, 4, 5, 10, 20, 50, 100, 500, 1000, 2000, 3000, 4000, 5000, 10000];
const N_QUICK = [1, 10];
const LAMBDA_FULL = [1, 0.1, 0.01, 0.001, 0.0001];
const LAMBDA_QUICK = [1, 0.01];

const camRow: AblationRow = { label: 'CAM', run: 'cam', paper: PAPER_CAM };

/**
 * The paper's Tables 2-5 as runs. On a dataset without fully negative samples the D⁻ switch has no effect, so the
 * paper's "Ours" rows are the same run there (see variantKey).
 */
export function ablationTables(quick = false): AblationTable[] {
  const ns = quick ? N_QUICK : N_FULL;
  const lambdas = quick ? LAMBDA_QUICK : LAMBDA_FULL;
  return [
    {
      id: 'table2',
      title: 'Table 2: loss terms (PxAP)',
      rows: [
        camRow,
        { label: '+ C+', run: { evidence: 'positive', fullyNegative: false }, paper: PAPER_TABLE2.positive },
        { label: '+ C-', run: { evidence: 'negative', fullyNegative: false }, paper: PAPER_TABLE2.negative },
        { label: '+ C+ + C-', run: { evidence: 'both', fullyNegative: false }, paper: PAPER_TABLE2.both },
        {
          label: '+ C+ + C- + D-',
          run: { evidence: 'both', fullyNegative: true },
          paper: PAPER_TABLE2.bothFullyNegative,
          needsFullyNegative: true,
        },
      ],
    },
    {
      id: 'table3',
      title: 'Table 3: random vs static selection, n = 1 (PxAP)',
      rows: [
        camRow,
        { label: 'random', run: { selection: 'random' }, paper: PAPER_TABLE3.random },
        { label: 'static', run: { selection: 'static' }, paper: PAPER_TABLE3.static },
      ],
    },
    {
      id: 'table4',
      title: 'Table 4: pixels per region n (PxAP)',
      rows: [
        ...ns.map((n) => ({ label: `n = ${n >= 1000 ? `${n / 1000}k` : n}`, run: { n }, paper: PAPER_TABLE4[n]! })),
        camRow,
      ],
    },
    {
      id: 'table5',
      title: 'Table 5: λ (PxAP)',
      rows: [
        ...lambdas.map((lambda) => ({ label: `λ = ${lambda}`, run: { lambda }, paper: PAPER_TABLE5[lambda]! })),
        camRow,
      ],
    },
  ];
}

/** NEGEV defaults that a run key leaves out (so that equal runs share one key). */
const DEFAULTS: Partial<NegevHyperparams> = {
  n: 1,
  lambda: 1,
  evidence: 'both',
  fullyNegative: true,
  selection: 'random',
};

/**
 * Canonical key of a NEGEV run: its non-default hyper-parameters, sorted. Without fully negative samples the D⁻
 * switch is dropped (it changes nothing there), so Table 2's "C+ + C-" and the default run coincide on GlaS.
 */
export function variantKey(hp: Partial<NegevHyperparams>, hasFullyNegative: boolean): string {
  const parts = Object.entries({ ...DEFAULTS, ...hp })
    .filter(([k, v]) => DEFAULTS[k as keyof NegevHyperparams] !== v)
    .filter(([k]) => hasFullyNegative || k !== 'fullyNegative')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : 'default';
}

/** The distinct NEGEV runs the selected tables need on one dataset, by key. */
export function negevVariants(
  tables: AblationTable[],
  hasFullyNegative: boolean,
): Map<string, Partial<NegevHyperparams>> {
  const out = new Map<string, Partial<NegevHyperparams>>();
  for (const t of tables)
    for (const r of t.rows) {
      if (r.run === 'cam' || (r.needsFullyNegative && !hasFullyNegative)) continue;
      const key = variantKey(r.run, hasFullyNegative);
      if (!out.has(key)) out.set(key, r.run);
    }
  return out;
}
