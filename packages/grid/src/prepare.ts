import { RunConfig } from '@wslbench/core';
import { openConfiguredDataset } from '@wslbench/trainer';
import { canonicalJson } from './canonical.js';
import type { GridCell } from './manifest.js';

/**
 * Open each distinct dataset of the cells once, before they fan out: a synthetic preset is generated on first open,
 * and two cells generating the same folder at once would race. Returns the dataset ids opened.
 */
export async function prepareDatasets(cells: readonly GridCell[]): Promise<string[]> {
  const seen = new Map<string, GridCell>();
  for (const c of cells) {
    const key = canonicalJson({
      dataset: c.dataset,
      dataRoot: c.config.dataRoot ?? null,
      synth: c.config.synth ?? null,
      fold: c.fold,
    });
    if (!seen.has(key)) seen.set(key, c);
  }
  const opened: string[] = [];
  for (const c of seen.values()) {
    const ds = await openConfiguredDataset(RunConfig.parse(c.config));
    opened.push(ds.id);
  }
  return opened;
}
