import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ClassEncoding, SplitName } from '@wslbench/core';
import { pngSize } from '../io/image-io.js';
import { type FoldSplits, readFold, type SplitRow, writeSplit } from '../splits.js';

/** Root of the patches inside `<dataRoot>/CAMELYON512/`. */
export const CAMELYON_PATCH_DIR = join('camelyon16', 'w-512xh-512');

/** The mask of a metastatic patch lies beside it: basename `Patch_file_...` -> `mask_file_...`. */
export function camelyonMaskPath(patchId: string): string {
  const cut = patchId.lastIndexOf('/');
  const base = patchId.slice(cut + 1);
  if (!base.startsWith('Patch_file_')) throw new Error(`'${patchId}': patch names start with 'Patch_file_'`);
  return `${patchId.slice(0, cut + 1)}mask_file_${base.slice('Patch_file_'.length)}`;
}

/** Class of a patch from its folder: `metastatic-patches/...` -> tumor, `normal-patches/...` -> normal. */
export function camelyonClass(patchId: string, encoding: ClassEncoding): number {
  if (patchId.includes('/metastatic-patches/')) return encoding.tumor!;
  if (patchId.includes('/normal-patches/')) return encoding.normal!;
  throw new Error(`'${patchId}': neither under metastatic-patches/ nor normal-patches/`);
}

function listPatches(root: string): string[] {
  const base = join(root, CAMELYON_PATCH_DIR);
  if (!existsSync(base)) throw new Error(`${base}: missing (CAMELYON512 patch folder)`);
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.startsWith('Patch_file_') && e.name.endsWith('.png'))
        out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(base);
  return out.sort();
}

function readPngSize(path: string): { width: number; height: number } {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(24);
    readSync(fd, head, 0, 24, 0);
    return pngSize(head, path);
  } finally {
    closeSync(fd);
  }
}

export interface DeriveReport {
  counts: Record<SplitName, number[]>;
  outDir: string;
}

/**
 * Derive the CAMELYON512 split files the public release lacks: train = every patch of the folder not in valcl or test;
 * test localization by the naming rule (metastatic -> sibling mask, normal -> none). valcl/valpx/test ids come from the
 * official fold folder. Writes all four splits to `outDir` in the same format.
 */
export function deriveCamelyonSplits(
  root: string,
  officialFoldDir: string,
  encoding: ClassEncoding,
  outDir: string,
): DeriveReport {
  const official = readFold(officialFoldDir, encoding);
  for (const s of ['valcl', 'valpx', 'test'] as const)
    if (!official[s]) throw new Error(`${officialFoldDir}: missing the official '${s}' split`);
  const withLoc = (rows: SplitRow[]): SplitRow[] =>
    rows.map((r) => ({ ...r, masks: r.masks ?? (r.label === encoding.tumor ? [camelyonMaskPath(r.id)] : []) }));
  const held = new Set([...official.valcl!, ...official.test!].map((r) => r.id));
  const train: SplitRow[] = [];
  for (const id of listPatches(root)) {
    if (held.has(id)) continue;
    const label = camelyonClass(id, encoding);
    const { width, height } = readPngSize(join(root, id));
    train.push({ id, label, width, height, masks: label === encoding.tumor ? [camelyonMaskPath(id)] : [] });
  }
  if (train.length === 0) throw new Error(`${root}: no training patches left after removing valcl and test`);
  const splits: FoldSplits = {
    train,
    valcl: withLoc(official.valcl!),
    valpx: withLoc(official.valpx!),
    test: withLoc(official.test!),
  };
  const counts = {} as Record<SplitName, number[]>;
  for (const [s, rows] of Object.entries(splits) as [SplitName, SplitRow[]][]) {
    writeSplit(join(outDir, s), rows);
    const c = new Array<number>(Object.keys(encoding).length).fill(0);
    for (const r of rows) c[r.label]!++;
    counts[s] = c;
  }
  return { counts, outDir };
}

/** Derived fold folder (written by `wslbench data split`) of a CAMELYON512 root. */
export function camelyonDerivedFoldDir(root: string, fold: number): string {
  return join(root, 'splits', `fold-${fold}`);
}

export function hasDerivedSplits(root: string, fold: number): boolean {
  return readSplitSafe(join(camelyonDerivedFoldDir(root, fold), 'train'));
}

function readSplitSafe(dir: string): boolean {
  return existsSync(join(dir, 'image_ids.txt')) || existsSync(join(dir, 'image_ids.txt.gz'));
}
