import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ClassEncoding } from '@wslbench/core';
import type { FoldSplits } from '../splits.js';

/** The official Warwick release folder, renamed with underscores (the zip's folder name has spaces). */
export const GLAS_FOLDER = 'Warwick_QU_Dataset_(Released_2016_07_08)';

/**
 * Parse the release's Grade.csv: header row, then `name, patient id, GlaS grade, Sirinukunwattana grade` with leading
 * spaces in the values (` benign`, ` malignant`). Returns name -> GlaS grade (trimmed). The grade column is the one whose
 * header mentions 'glas' (the reference reads column 2).
 */
export function parseGradeCsv(text: string, path: string): Map<string, string> {
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (rows.length < 2) throw new Error(`${path}: no data rows`);
  const header = rows[0]!.split(',').map((h) => h.trim().toLowerCase());
  let col = header.findIndex((h) => h.includes('glas'));
  if (col < 0) col = 2;
  const out = new Map<string, string>();
  rows.slice(1).forEach((line, i) => {
    const f = line.split(',').map((v) => v.trim());
    if (f.length <= col || f[0] === '')
      throw new Error(`${path}:${i + 2}: expected at least ${col + 1} fields, got '${line}'`);
    out.set(f[0]!, f[col]!);
  });
  return out;
}

/** Cross-check the split labels against Grade.csv: a disagreement or a missing image is an error. */
export function checkGlasGrades(root: string, splits: FoldSplits, encoding: ClassEncoding): void {
  const dir = join(root, GLAS_FOLDER);
  const csvPath = join(dir, 'Grade.csv');
  if (!existsSync(csvPath)) throw new Error(`${csvPath}: missing (expected in the GlaS release folder)`);
  const grades = parseGradeCsv(readFileSync(csvPath, 'utf8'), csvPath);
  const names = Object.fromEntries(Object.entries(encoding).map(([k, v]) => [v, k]));
  for (const [split, rows] of Object.entries(splits)) {
    for (const r of rows) {
      const name = basename(r.id).replace(/\.bmp$/i, '');
      const g = grades.get(name);
      if (g === undefined) throw new Error(`${csvPath}: no grade for '${name}' (listed in split ${split})`);
      if (encoding[g] === undefined) throw new Error(`${csvPath}: grade '${g}' of '${name}' is not in the encoding`);
      if (encoding[g] !== r.label)
        throw new Error(`${csvPath}: '${name}' is '${g}' but split ${split} labels it ${r.label} (${names[r.label]})`);
    }
  }
}

export function glasInstallHint(dataRoot: string): string {
  return (
    `GlaS not found: download the Warwick QU release, unzip it and rename its folder to ` +
    `${join(dataRoot, 'GLAS', GLAS_FOLDER)} (underscores instead of spaces)`
  );
}
