import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rngStream } from '@wslbench/core';
import { folderIdentity } from './dataset-identity.js';
import { camelyonDerivedFoldDir } from './datasets/camelyon.js';
import { checkGlasGrades, GLAS_FOLDER, glasInstallHint } from './datasets/glas.js';
import { drawFewShot } from './few-shot.js';
import { SplitDataset } from './loader/split-dataset.js';
import { defaultDataRoot, SHIPPED_SPLITS_DIR, shippedFoldDir } from './paths.js';
import { type FoldSplits, readEncoding, readFold } from './splits.js';
import { ensureSynthetic, SYNTH_PRESETS, type SynthOptions, type SynthPreset } from './synth/generate.js';

/** The master seed of the few-shot valpx draw of datasets that ship no valpx list (fixed: see openDataset). */
export const FEW_SHOT_DRAW_SEED = 0;

export type DatasetName = 'synth-glas' | 'synth-camelyon' | 'glas' | 'camelyon16';

export interface OpenDatasetOptions {
  /** A preset name, or a folder in the split-file format (`encoding.yaml`, `fold-<k>/<split>/*.txt`). */
  dataset: DatasetName | string;
  /** Where `GLAS/`, `CAMELYON512/` and generated `synth-*` folders live (default `<repo>/data` or $WSLBENCH_DATA). */
  dataRoot?: string;
  fold?: number;
  /** Synthetic presets: generation settings (generated on first use). */
  synth?: Omit<SynthOptions, 'onProgress'>;
  cacheBytes?: number;
  /** Where a note goes (a synthetic preset read from its settings folder); default stderr. */
  log?: (line: string) => void;
}

/** Where a named dataset or folder lives, and its split folder for a fold. */
export interface DatasetLocation {
  /** Path-free: the preset or dataset name, or a content hash of a folder's split files (see folderIdentity). */
  id: string;
  root: string;
  foldDir: string;
  encodingDir: string;
  kind: 'synthetic' | 'glas' | 'camelyon16' | 'folder';
}

export function locateDataset(dataset: string, dataRoot = defaultDataRoot(), fold = 0): DatasetLocation {
  if ((SYNTH_PRESETS as readonly string[]).includes(dataset)) {
    const root = join(dataRoot, dataset);
    return { id: dataset, root, foldDir: join(root, `fold-${fold}`), encodingDir: root, kind: 'synthetic' };
  }
  if (dataset === 'glas') {
    const root = join(dataRoot, 'GLAS');
    return {
      id: 'glas',
      root,
      foldDir: shippedFoldDir('GLAS', fold),
      encodingDir: join(SHIPPED_SPLITS_DIR, 'GLAS'),
      kind: 'glas',
    };
  }
  if (dataset === 'camelyon16') {
    const root = join(dataRoot, 'CAMELYON512');
    return {
      id: 'camelyon16',
      root,
      foldDir: camelyonDerivedFoldDir(root, fold),
      encodingDir: join(SHIPPED_SPLITS_DIR, 'CAMELYON512'),
      kind: 'camelyon16',
    };
  }
  const root = resolve(dataset);
  if (!existsSync(join(root, 'encoding.yaml')))
    throw new Error(
      `unknown dataset '${dataset}': expected synth-glas | synth-camelyon | glas | camelyon16 or a folder with encoding.yaml`,
    );
  // Named by content, never by location: see folderIdentity.
  return { id: folderIdentity(root), root, foldDir: join(root, `fold-${fold}`), encodingDir: root, kind: 'folder' };
}

/**
 * Open a dataset as the trainer's DatasetSource. Synthetic presets are generated on first use; GlaS is read from the
 * Warwick release with the shipped folds (labels cross-checked against Grade.csv); CAMELYON16 needs the split files
 * derived by `wslbench data split`.
 */
export async function openDataset(opts: OpenDatasetOptions): Promise<SplitDataset> {
  const fold = opts.fold ?? 0;
  const dataRoot = opts.dataRoot ?? defaultDataRoot();
  const loc = locateDataset(opts.dataset, dataRoot, fold);
  if (loc.kind === 'synthetic') {
    const got = await ensureSynthetic(opts.dataset as SynthPreset, loc.root, opts.synth);
    if (got.note) (opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(`[data] ${got.note}`);
    Object.assign(loc, { root: got.dir, foldDir: join(got.dir, `fold-${fold}`), encodingDir: got.dir });
  }
  if (loc.kind === 'glas' && !existsSync(join(loc.root, GLAS_FOLDER))) throw new Error(glasInstallHint(dataRoot));
  if (loc.kind === 'camelyon16' && !existsSync(join(loc.foldDir, 'train')))
    throw new Error(
      `${loc.foldDir}: no derived CAMELYON16 split files; run 'wslbench data split --root ${loc.root} --fold ${fold}' first`,
    );
  if (!existsSync(loc.foldDir)) throw new Error(`${loc.id}: no fold ${fold} (${loc.foldDir} missing)`);
  const encoding = readEncoding(loc.encodingDir);
  const splits: FoldSplits = readFold(loc.foldDir, encoding);
  validateFold(splits, loc.foldDir);
  if (loc.kind === 'glas') checkGlasGrades(loc.root, splits, encoding);
  // Drawn once per dataset and fold, like the official folds' frozen lists: a run's seed (restarts, multi-seed
  // boards) must not change the images it is selected on.
  if (!splits.valpx && splits.valcl) {
    const numClasses = Object.keys(encoding).length;
    const hasNegatives = Object.values(splits).some((rows) => rows.some((r) => r.masks?.length === 0));
    splits.valpx = drawFewShot(
      splits.valcl,
      hasNegatives ? 5 : 3,
      numClasses,
      rngStream(FEW_SHOT_DRAW_SEED, 'valpx', loc.id, fold),
    );
  }
  return new SplitDataset({ id: loc.id, root: loc.root, encoding, splits, cacheBytes: opts.cacheBytes });
}

/** Protocol invariants: valpx within valcl, train disjoint from valcl and test. */
export function validateFold(s: FoldSplits, foldDir: string): void {
  const ids = (rows?: { id: string }[]) => new Set((rows ?? []).map((r) => r.id));
  const valcl = ids(s.valcl);
  if (s.valpx && s.valcl)
    for (const r of s.valpx)
      if (!valcl.has(r.id)) throw new Error(`${foldDir}/valpx: '${r.id}' is not in valcl (valpx must be a subset)`);
  for (const other of ['valcl', 'test'] as const) {
    const o = ids(s[other]);
    for (const r of s.train ?? []) if (o.has(r.id)) throw new Error(`${foldDir}/train: '${r.id}' is also in ${other}`);
  }
}
