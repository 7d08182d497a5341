import { join, resolve } from 'node:path';
import {
  checkDataset,
  defaultDataRoot,
  deriveCamelyonSplits,
  ensureSynthetic,
  formatCheckReport,
  generateSynthetic,
  locateDataset,
  manifestMatches,
  openDataset,
  previewPath,
  readEncoding,
  readManifest,
  SHIPPED_SPLITS_DIR,
  SYNTH_PRESETS,
  type SynthCounts,
  type SynthPreset,
  shippedFoldDir,
  writeContactSheet,
} from '@wslbench/data';
import type { Command } from 'commander';

const pair = (v: string): [number, number] => {
  const m = /^(\d+),(\d+)$/.exec(v.trim());
  if (!m) throw new Error(`expected '<class0>,<class1>' counts, got '${v}'`);
  return [Number(m[1]), Number(m[2])];
};

/** Progress on one line in a terminal, a line per 10% otherwise. */
function progress(label: string): (done: number, total: number) => void {
  let last = -1;
  return (done, total) => {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${label} ${done}/${total}`);
      if (done === total) process.stderr.write('\n');
    } else {
      const tenth = Math.floor((done * 10) / total);
      if (tenth !== last) process.stderr.write(`${label} ${done}/${total}\n`);
      last = tenth;
    }
  };
}

/** `wslbench data synth|preview|check|split`. */
export function registerDataCommand(program: Command): void {
  const data = program
    .command('data')
    .description('datasets: synthetic generator, contact sheets, checks, CAMELYON16 splits');

  data
    .command('synth')
    .description('generate a synthetic histology dataset in the split-file format')
    .requiredOption('--preset <name>', `${SYNTH_PRESETS.join(' | ')}`)
    .option('--out <dir>', 'output folder (default <data root>/<preset>)')
    .option('--size <px>', 'image side in pixels', '128')
    .option('--seed <n>', 'generator seed', '0')
    .option('--train <n0,n1>', 'train images per class')
    .option('--valcl <n0,n1>', 'valcl images per class')
    .option('--test <n0,n1>', 'test images per class')
    .option('--valpx <k>', 'valpx images per class (drawn from valcl)')
    .action(async (o: Record<string, string | undefined>) => {
      const preset = o.preset as SynthPreset;
      if (!SYNTH_PRESETS.includes(preset))
        throw new Error(`--preset must be ${SYNTH_PRESETS.join(' | ')}, got '${preset}'`);
      const counts: Partial<SynthCounts> = {};
      if (o.train) counts.train = pair(o.train);
      if (o.valcl) counts.valcl = pair(o.valcl);
      if (o.test) counts.test = pair(o.test);
      if (o.valpx) counts.valpx = Number(o.valpx);
      const settings = { size: Number(o.size), seed: Number(o.seed), counts };
      // Generated datasets are immutable: other settings go to the settings folder beside the default one (where
      // `train` and `bench` look for them); an --out folder holding anything else is refused, never regenerated.
      if (!o.out) {
        const got = await ensureSynthetic(preset, join(defaultDataRoot(), preset), {
          ...settings,
          onProgress: progress(preset),
        });
        if (got.note) process.stderr.write(`${got.note}\n`);
        process.stdout.write(
          `${preset}: ${got.generated ? `${got.manifest.images} images of ${got.manifest.size}px generated` : 'already present'} in ${got.dir}\n`,
        );
        return;
      }
      const out = resolve(o.out);
      const have = readManifest(out);
      if (have && manifestMatches(have, preset, settings)) {
        process.stdout.write(`${preset}: already present with these settings in ${out}\n`);
        return;
      }
      const m = await generateSynthetic(preset, out, { ...settings, onProgress: progress(preset) });
      process.stdout.write(`${preset}: ${m.images} images of ${m.size}px in ${m.seconds}s -> ${out}\n`);
    });

  data
    .command('preview')
    .description('write a contact sheet PNG (images with mask outlines, class bar: blue 0, red 1)')
    .argument('<dataset>', 'synth-glas | synth-camelyon | glas | camelyon16 | folder')
    .option('--split <name>', 'split to show', 'test')
    .option('--fold <k>', 'fold', '0')
    .option('--per-class <n>', 'images per class', '8')
    .option('--tile <px>', 'tile size', '128')
    .option('--out <file>', 'PNG path (default <dataset folder>/preview.png)')
    .option('--data-root <dir>', 'data root')
    .action(async (dataset: string, o: Record<string, string | undefined>) => {
      // A generated preset is previewed as it is on disk (opening it by name would generate the default settings).
      const generated = locateDataset(dataset, o.dataRoot ?? defaultDataRoot()).root;
      const asFolder = SYNTH_PRESETS.includes(dataset as SynthPreset) && readManifest(generated);
      const ds = await openDataset({
        dataset: asFolder ? generated : dataset,
        dataRoot: o.dataRoot,
        fold: Number(o.fold),
      });
      const out = resolve(o.out ?? previewPath(ds.root));
      const n = await writeContactSheet(ds.root, ds.rows(o.split as 'test'), ds.numClasses, out, {
        perClass: Number(o.perClass),
        tile: Number(o.tile),
      });
      process.stdout.write(`contact sheet of ${n} images -> ${out}\n`);
    });

  data
    .command('check')
    .description('check a dataset against its split files; exits non-zero on any error')
    .requiredOption('--dataset <name>', 'synth-glas | synth-camelyon | glas | camelyon16 | folder')
    .option('--fold <k>', 'fold', '0')
    .option('--data-root <dir>', 'data root')
    .option('--no-decode', 'only check split files and file presence')
    .option('--json', 'print the report as JSON', false)
    .action(async (o: { dataset: string; fold: string; dataRoot?: string; decode: boolean; json: boolean }) => {
      const rep = await checkDataset({
        dataset: o.dataset,
        dataRoot: o.dataRoot,
        fold: Number(o.fold),
        decode: o.decode,
        onProgress: progress('check'),
      });
      process.stdout.write(o.json ? `${JSON.stringify(rep, null, 2)}\n` : `${formatCheckReport(rep)}\n`);
      if (rep.errors.length > 0) process.exitCode = 1;
    });

  data
    .command('split')
    .description('derive the CAMELYON16 train split and test localization from the patch folder')
    .option('--root <dir>', 'CAMELYON512 folder (default <data root>/CAMELYON512)')
    .option('--fold <k>', 'fold', '0')
    .option('--official <dir>', 'official fold folder with valcl/valpx/test (default: the shipped one)')
    .option('--out <dir>', 'output fold folder (default <root>/splits/fold-<k>)')
    .action(async (o: { root?: string; fold: string; official?: string; out?: string }) => {
      const fold = Number(o.fold);
      const root = resolve(o.root ?? join(defaultDataRoot(), 'CAMELYON512'));
      const out = resolve(o.out ?? join(root, 'splits', `fold-${fold}`));
      const enc = readEncoding(join(SHIPPED_SPLITS_DIR, 'CAMELYON512'));
      const rep = deriveCamelyonSplits(root, o.official ?? shippedFoldDir('CAMELYON512', fold), enc, out);
      for (const [s, c] of Object.entries(rep.counts))
        process.stdout.write(`${s.padEnd(6)} normal ${c[0]}, tumor ${c[1]}\n`);
      process.stdout.write(`split files -> ${out}\n`);
    });
}
