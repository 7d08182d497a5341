import { SYNTH_PRESETS } from '@wslbench/data';
import { listMethods } from '@wslbench/registry';
import type { Command } from 'commander';
import { backbonesListing } from './backbones.js';

const DATASETS: readonly { id: string; note: string }[] = [
  { id: 'glas', note: 'GlaS (Warwick release, shipped 5 folds)' },
  { id: 'camelyon16', note: 'CAMELYON16 512x512 patches (split files from `wslbench data split`)' },
  ...SYNTH_PRESETS.map((id) => ({ id, note: 'synthetic, generated on first use' })),
];

/** `wslbench list methods|backbones|datasets`: what is registered, one per line. */
export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list registered methods, backbones or datasets')
    .argument('<what>', 'methods | backbones | datasets')
    .action((what: string) => {
      const out = (line: string) => process.stdout.write(`${line}\n`);
      if (what === 'methods') {
        const methods = listMethods();
        if (!methods.length) out('(no methods registered)');
        for (const m of methods) out(`${m.id.padEnd(18)} ${m.family.padEnd(10)} ${m.title}`);
      } else if (what === 'backbones') {
        out(backbonesListing());
      } else if (what === 'datasets') {
        for (const d of DATASETS) out(`${d.id.padEnd(16)} ${d.note}`);
      } else throw new Error(`list: expected methods | backbones | datasets, got '${what}'`);
    });
}
