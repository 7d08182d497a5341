import { execFileSync } from 'node:child_process';
import type { LoadedRecord } from '../load.js';
import { compareDatasets } from '../names.js';

/** The checked-out commit of the working directory, or null outside a git checkout. */
export function currentCommit(cwd = process.cwd()): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/**
 * A run's config name: `config.name` / `config.configName` / `config.configPath` when the trainer set one, else the
 * benchmarks' file-name convention `{method}_{backbone}_{dataset}_f{fold}` (backbone ':' and '/' as '-').
 */
export function configName(config: Record<string, unknown>): string | null {
  for (const k of ['name', 'configName', 'configPath', 'config']) {
    const v = config[k];
    if (typeof v === 'string' && v) return v;
  }
  const { method, backbone, dataset, fold } = config;
  if (typeof method === 'string' && typeof backbone === 'string' && typeof dataset === 'string')
    return `${method}_${backbone.replace(/[:/]/g, '-')}_${dataset}_f${typeof fold === 'number' ? fold : 0}`;
  return null;
}

export interface ProvenanceSummary {
  runs: number;
  failed: number;
  datasets: string[];
  seeds: number[];
  folds: number[];
  commits: string[];
  configNames: string[];
  backends: string[];
  methods: string[];
  backbones: string[];
}

export function summarise(records: readonly LoadedRecord[]): ProvenanceSummary {
  const uniq = <T>(xs: T[]) => [...new Set(xs)].sort() as T[];
  const rs = records.map((l) => l.record);
  return {
    runs: rs.length,
    failed: rs.filter((r) => r.status !== 'ok').length,
    datasets: [...new Set(rs.map((r) => r.dataset))].sort(compareDatasets),
    seeds: [...new Set(rs.map((r) => r.seed))].sort((a, b) => a - b),
    folds: [...new Set(rs.map((r) => r.fold))].sort((a, b) => a - b),
    commits: uniq(rs.map((r) => r.env.commit ?? 'unknown')),
    configNames: uniq(rs.map((r) => configName(r.config)).filter((x): x is string => x !== null)),
    backends: uniq(rs.map((r) => r.env.backend)),
    methods: uniq(rs.map((r) => r.method)),
    backbones: uniq(rs.map((r) => r.backbone)),
  };
}

/** The configs in one line: how many, over how many methods x backbones x datasets; each run's name is in the run list. */
export function describeConfigs(s: ProvenanceSummary): string {
  if (!s.configNames.length) return 'no config names';
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  return `${n(s.configNames.length, 'config')} (${n(s.methods.length, 'method')} × ${n(s.backbones.length, 'backbone')} × ${n(s.datasets.length, 'dataset')}; each run's in the run list)`;
}
