import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type SplitName, writeJsonAtomic } from '@wslbench/core';
import { checkRow } from './check.js';
import { defaultDataRoot } from './paths.js';
import type { SplitRow } from './splits.js';

export interface PreflightSource {
  id: string;
  root: string;
  size(split: SplitName): number;
  rows(split: SplitName): readonly SplitRow[];
}

export interface PreflightResult {
  rows: number;
  /** Rows decoded now (not seen before with the same file sizes and times). */
  decoded: number;
}

/** Where the decoded-and-valid rows of each dataset root are remembered (one JSON per root). */
export function preflightCacheFile(root: string, cacheDir = join(defaultDataRoot(), '.check-cache')): string {
  return join(cacheDir, `${createHash('sha256').update(resolve(root)).digest('hex').slice(0, 16)}.json`);
}

/** A row's files as they are now: path, size and modification time of its image and masks. */
function fingerprint(root: string, r: SplitRow): string | undefined {
  const parts: string[] = [];
  for (const rel of [r.id, ...(r.masks ?? [])]) {
    const p = join(root, rel);
    if (!existsSync(p)) return undefined;
    const st = statSync(p);
    parts.push(`${rel}:${st.size}:${st.mtimeMs}`);
  }
  return parts.join('|');
}

/**
 * Validate every row of the splits a run will read before any compute: files present (the cost of `data check
 * --no-decode`), plus a decode (image readable, masks readable, binary and of the image's size) of each row not
 * validated before with the same files; validated rows are remembered per dataset root and file fingerprint.
 * Throws one error naming every bad file.
 */
export async function preflightDataset(
  ds: PreflightSource,
  splits: readonly SplitName[] = ['train', 'valcl', 'valpx', 'test'],
  opts: { cacheDir?: string } = {},
): Promise<PreflightResult> {
  const cacheFile = preflightCacheFile(ds.root, opts.cacheDir);
  let seen: Record<string, string> = {};
  try {
    seen = (JSON.parse(readFileSync(cacheFile, 'utf8')) as { rows: Record<string, string> }).rows ?? {};
  } catch {
    // no cache yet (or unreadable): everything is decoded
  }
  const unique = new Map<string, SplitRow>();
  for (const s of splits) if (ds.size(s) > 0) for (const r of ds.rows(s)) unique.set(r.id, r);
  const report = { errors: [] as string[], warnings: [] as string[] };
  const valid: Record<string, string> = {};
  let decoded = 0;
  const rows = [...unique.values()];
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const r = rows[next++]!;
      const fp = fingerprint(ds.root, r);
      const known = fp !== undefined && seen[r.id] === fp;
      const before = report.errors.length;
      await checkRow(ds.root, r, !known, report);
      if (!known && fp !== undefined) decoded++;
      if (fp !== undefined && report.errors.length === before) valid[r.id] = fp;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (decoded > 0) {
    try {
      mkdirSync(join(cacheFile, '..'), { recursive: true });
      writeJsonAtomic(cacheFile, { root: resolve(ds.root), rows: { ...seen, ...valid } });
    } catch {
      // a read-only data root only costs a re-decode next time
    }
  }
  if (report.errors.length > 0) {
    const errors = [...report.errors].sort();
    throw new Error(
      `dataset ${ds.id} at ${ds.root}: ${errors.length} problem(s) in the files of the splits this run reads ` +
        `(${splits.join(', ')}); nothing was trained:\n  ${errors.join('\n  ')}`,
    );
  }
  return { rows: rows.length, decoded };
}
