import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SplitName } from '@wslbench/core';
import { GLAS_FOLDER, glasInstallHint } from './datasets/glas.js';
import { readMask, readRgb } from './io/image-io.js';
import { locateDataset, validateFold } from './open-dataset.js';
import { defaultDataRoot } from './paths.js';
import { classCounts, type FoldSplits, readEncoding, readFold, SPLIT_NAMES, type SplitRow } from './splits.js';

export interface CheckReport {
  dataset: string;
  root: string;
  fold: number;
  classes: string[];
  /** Images per class of each split present. */
  counts: Partial<Record<SplitName, number[]>>;
  imagesChecked: number;
  errors: string[];
  warnings: string[];
}

export interface CheckOptions {
  dataset: string;
  dataRoot?: string;
  fold?: number;
  /** Decode images and masks (default true); false checks the split files and file presence only. */
  decode?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Check a dataset against its split files: parse errors, missing or unreadable files, image/mask size mismatches,
 * masks that are neither binary nor instance-id maps, classes whose images lack masks. Never throws on bad data:
 * every problem is a line in `errors` naming the file.
 */
export async function checkDataset(opts: CheckOptions): Promise<CheckReport> {
  const fold = opts.fold ?? 0;
  const loc = locateDataset(opts.dataset, opts.dataRoot ?? defaultDataRoot(), fold);
  const report: CheckReport = {
    dataset: loc.id,
    root: loc.root,
    fold,
    classes: [],
    counts: {},
    imagesChecked: 0,
    errors: [],
    warnings: [],
  };
  let splits: FoldSplits;
  let numClasses: number;
  try {
    const enc = readEncoding(loc.encodingDir);
    report.classes = Object.entries(enc)
      .sort((a, b) => a[1] - b[1])
      .map(([k]) => k);
    numClasses = report.classes.length;
    splits = readFold(loc.foldDir, enc);
    validateFold(splits, loc.foldDir);
  } catch (e) {
    report.errors.push(e instanceof Error ? e.message : String(e));
    return report;
  }
  for (const s of SPLIT_NAMES) if (splits[s]) report.counts[s] = classCounts(splits[s]!, numClasses);
  for (const s of ['train', 'valcl', 'valpx', 'test'] as const)
    if (!splits[s]) report.warnings.push(`${loc.foldDir}: no '${s}' split`);

  // Which classes carry masks: within a class, either all images have one or none (fully negative class).
  const unique = new Map<string, SplitRow>();
  for (const rows of Object.values(splits)) for (const r of rows) unique.set(r.id, r);
  const rows = [...unique.values()];
  for (let c = 0; c < numClasses; c++) {
    const withLoc = rows.filter((r) => r.label === c && r.masks !== undefined);
    const without = withLoc.filter((r) => r.masks!.length === 0);
    if (without.length > 0 && without.length < withLoc.length)
      report.errors.push(
        `class '${report.classes[c]}': ${without.length} image(s) have no mask while ${withLoc.length - without.length} do, e.g. ${without[0]!.id}`,
      );
    if (c > 0 && without.length > 0 && without.length === withLoc.length)
      report.errors.push(`class '${report.classes[c]}' has no masks at all (only class 0 may be fully negative)`);
  }

  // A wrong or missing root is one error, not a 'missing' line per file.
  const absent =
    loc.kind === 'glas' && !existsSync(join(loc.root, GLAS_FOLDER))
      ? glasInstallHint(opts.dataRoot ?? defaultDataRoot())
      : !existsSync(loc.root)
        ? `${loc.root}: no such folder (the split files name ${rows.length} images under it)`
        : undefined;
  if (absent) {
    report.errors.push(absent);
    return report;
  }

  const decode = opts.decode ?? true;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rows.length) {
      const r = rows[next++]!;
      await checkRow(loc.root, r, decode, report);
      report.imagesChecked++;
      opts.onProgress?.(++done, rows.length);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return report;
}

/** Check one split row's image and masks (presence; with `decode`, decodability, sizes and mask values) into `report`. */
export async function checkRow(
  root: string,
  r: SplitRow,
  decode: boolean,
  report: Pick<CheckReport, 'errors' | 'warnings'>,
): Promise<void> {
  const imgPath = join(root, r.id);
  const paths = [imgPath, ...(r.masks ?? []).map((m) => join(root, m))];
  const missing = paths.filter((p) => !existsSync(p));
  for (const p of missing) report.errors.push(`${p}: missing${p === imgPath ? '' : ` (mask of ${r.id})`}`);
  if (missing.length > 0 || !decode) return;
  let size: { width: number; height: number };
  try {
    size = await readRgb(imgPath);
  } catch (e) {
    report.errors.push(e instanceof Error ? e.message : String(e));
    return;
  }
  if (r.width !== undefined && (r.width !== size.width || r.height !== size.height))
    report.warnings.push(`${imgPath}: is ${size.width}x${size.height}, image_sizes.txt says ${r.width}x${r.height}`);
  for (const rel of r.masks ?? []) {
    const p = join(root, rel);
    try {
      const m = await readMask(p);
      if (m.width !== size.width || m.height !== size.height) {
        report.errors.push(`${p}: mask is ${m.width}x${m.height} but its image is ${size.width}x${size.height}`);
        continue;
      }
      const values = new Set<number>();
      for (let i = 0; i < m.data.length && values.size < 300; i++) values.add(m.data[i]!);
      const instanceMap = rel.toLowerCase().endsWith('.bmp');
      if (!instanceMap && values.size > 2)
        report.errors.push(
          `${p}: mask is not binary (${values.size} distinct values, e.g. ${[...values].slice(0, 6).join(', ')})`,
        );
      else if (!instanceMap && values.size === 2 && !values.has(0))
        report.errors.push(`${p}: mask has no background value 0 (values ${[...values].join(', ')})`);
      if (values.size === 1 && values.has(0)) report.warnings.push(`${p}: mask is empty`);
    } catch (e) {
      report.errors.push(e instanceof Error ? e.message : String(e));
    }
  }
}

/** Human-readable report lines. */
export function formatCheckReport(rep: CheckReport): string {
  const out = [`dataset ${rep.dataset} (fold ${rep.fold}) at ${rep.root}`];
  for (const [s, c] of Object.entries(rep.counts))
    out.push(
      `  ${s.padEnd(6)} ${String(c!.reduce((a, b) => a + b, 0)).padStart(6)}  ${rep.classes.map((n, i) => `${n} ${c![i]}`).join(', ')}`,
    );
  out.push(`  images checked: ${rep.imagesChecked}`);
  for (const w of rep.warnings.slice(0, 20)) out.push(`  warning: ${w}`);
  if (rep.warnings.length > 20) out.push(`  ... ${rep.warnings.length - 20} more warnings`);
  for (const e of rep.errors.slice(0, 50)) out.push(`  ERROR: ${e}`);
  if (rep.errors.length > 50) out.push(`  ... ${rep.errors.length - 50} more errors`);
  out.push(rep.errors.length === 0 ? '  OK' : `  FAILED: ${rep.errors.length} error(s)`);
  return out.join('\n');
}
