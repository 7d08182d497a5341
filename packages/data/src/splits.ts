import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type ClassEncoding, type SplitName, writeFileAtomic } from '@wslbench/core';

export const SPLIT_NAMES: readonly SplitName[] = ['train', 'valcl', 'valpx', 'test'];

/** One image of a split, as the wsolevaluation/NEGEV split files describe it. */
export interface SplitRow {
  /** Image path relative to the dataset root (also its id). */
  id: string;
  label: number;
  /** Mask paths relative to the dataset root, OR-ed together. Empty = no ROI (all-zero mask, fully negative).
   *  Undefined = the split has no localization.txt. */
  masks?: string[];
  /** Size from image_sizes.txt (metadata; the decoded image is the truth). */
  width?: number;
  height?: number;
}

/** A fold: the rows of each split present in the fold folder. */
export type FoldSplits = Partial<Record<SplitName, SplitRow[]>>;

/** Read a split file, plain or gzipped (`name` or `name.gz`); undefined when neither exists. */
export function readSplitText(dir: string, name: string): { path: string; text: string } | undefined {
  const plain = join(dir, name);
  if (existsSync(plain)) return { path: plain, text: readFileSync(plain, 'utf8') };
  const gz = `${plain}.gz`;
  if (existsSync(gz)) return { path: gz, text: gunzipSync(readFileSync(gz)).toString('utf8') };
  return undefined;
}

function lines(text: string): string[] {
  const out = text.split(/\r?\n/);
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Parse `encoding.yaml`: a flow map `{benign: 0, malignant: 1}` or block lines `benign: 0`. */
export function parseEncoding(text: string, path = 'encoding.yaml'): ClassEncoding {
  const body = text.trim().replace(/^\{/, '').replace(/\}$/, '');
  const enc: ClassEncoding = {};
  const parts = body
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('#'));
  for (const part of parts) {
    const m = /^['"]?([^'":]+)['"]?\s*:\s*(-?\d+)$/.exec(part);
    if (!m) throw new Error(`${path}: cannot parse class entry '${part}' (expected 'name: id')`);
    enc[m[1]!.trim()] = Number(m[2]);
  }
  const ids = Object.values(enc).sort((a, b) => a - b);
  if (ids.length === 0) throw new Error(`${path}: no classes`);
  ids.forEach((id, i) => {
    if (id !== i) throw new Error(`${path}: class ids must be 0..${ids.length - 1}, got ${ids.join(',')}`);
  });
  return enc;
}

export function readEncoding(dir: string): ClassEncoding {
  const f = readSplitText(dir, 'encoding.yaml');
  if (!f) throw new Error(`missing ${join(dir, 'encoding.yaml')}`);
  return parseEncoding(f.text, f.path);
}

export function formatEncoding(enc: ClassEncoding): string {
  const entries = Object.entries(enc).sort((a, b) => a[1] - b[1]);
  return `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}\n`;
}

/**
 * Read one split folder (image_ids, class_labels, image_sizes, localization). Every row is validated: an error names
 * the file and line. Returns undefined when the folder has no image_ids.txt.
 */
export function readSplit(splitDir: string, encoding: ClassEncoding): SplitRow[] | undefined {
  const idsFile = readSplitText(splitDir, 'image_ids.txt');
  if (!idsFile) return undefined;
  const numClasses = Object.keys(encoding).length;
  const rows: SplitRow[] = [];
  const byId = new Map<string, SplitRow>();
  lines(idsFile.text).forEach((line, i) => {
    const id = line.trim();
    if (id === '') throw new Error(`${idsFile.path}:${i + 1}: empty image id`);
    if (byId.has(id)) throw new Error(`${idsFile.path}:${i + 1}: duplicate image id '${id}'`);
    const row: SplitRow = { id, label: -1 };
    rows.push(row);
    byId.set(id, row);
  });
  if (rows.length === 0) throw new Error(`${idsFile.path}: empty split`);

  const labels = readSplitText(splitDir, 'class_labels.txt');
  if (!labels) throw new Error(`missing ${join(splitDir, 'class_labels.txt')}`);
  lines(labels.text).forEach((line, i) => {
    const where = `${labels.path}:${i + 1}`;
    const cut = line.lastIndexOf(',');
    if (cut < 0) throw new Error(`${where}: expected '<image_id>,<class>', got '${line}'`);
    const row = rowOf(byId, line.slice(0, cut), where);
    const v = line.slice(cut + 1).trim();
    const label = /^\d+$/.test(v) ? Number(v) : -1;
    if (label < 0 || label >= numClasses)
      throw new Error(`${where}: class '${v}' is not in the encoding (ids 0..${numClasses - 1})`);
    row.label = label;
  });
  for (const r of rows) if (r.label < 0) throw new Error(`${labels.path}: no class label for '${r.id}'`);

  const sizes = readSplitText(splitDir, 'image_sizes.txt');
  if (sizes) {
    lines(sizes.text).forEach((line, i) => {
      const where = `${sizes.path}:${i + 1}`;
      const m = /^(.*),\s*(\d+)\s*,\s*(\d+)\s*$/.exec(line);
      if (!m) throw new Error(`${where}: expected '<image_id>,<width>,<height>', got '${line}'`);
      const row = rowOf(byId, m[1]!, where);
      row.width = Number(m[2]);
      row.height = Number(m[3]);
    });
  }

  const loc = readSplitText(splitDir, 'localization.txt');
  if (loc) {
    for (const r of rows) r.masks = [];
    lines(loc.text).forEach((line, i) => {
      const where = `${loc.path}:${i + 1}`;
      const fields = line.split(',');
      if (fields.length < 2) throw new Error(`${where}: expected '<image_id>,<mask>,<ignore>', got '${line}'`);
      const row = rowOf(byId, fields[0]!, where);
      const mask = fields[1]!.trim();
      // Normal CAMELYON patches: empty field ('') or 'None' => all-zero mask.
      if (mask !== '' && mask !== 'None') row.masks!.push(mask);
    });
  }
  return rows;
}

function rowOf(byId: Map<string, SplitRow>, id: string, where: string): SplitRow {
  const row = byId.get(id.trim());
  if (!row) throw new Error(`${where}: image '${id}' is not listed in image_ids.txt`);
  return row;
}

/** Read every split folder of a fold; at least one must exist. */
export function readFold(foldDir: string, encoding: ClassEncoding): FoldSplits {
  const fold: FoldSplits = {};
  for (const s of SPLIT_NAMES) {
    const rows = readSplit(join(foldDir, s), encoding);
    if (rows) fold[s] = rows;
  }
  if (Object.keys(fold).length === 0) throw new Error(`${foldDir}: no split folders (train/valcl/valpx/test)`);
  return fold;
}

/** Write the four split files of one split (plain text, atomic). Masks undefined => no localization.txt. */
export function writeSplit(splitDir: string, rows: readonly SplitRow[]): void {
  if (rows.length === 0) throw new Error(`refusing to write empty split ${splitDir}`);
  const join2 = (f: (r: SplitRow) => string) => `${rows.map(f).join('\n')}\n`;
  writeFileAtomic(
    join(splitDir, 'image_ids.txt'),
    join2((r) => r.id),
  );
  writeFileAtomic(
    join(splitDir, 'class_labels.txt'),
    join2((r) => `${r.id},${r.label}`),
  );
  if (rows.every((r) => r.width !== undefined && r.height !== undefined))
    writeFileAtomic(
      join(splitDir, 'image_sizes.txt'),
      join2((r) => `${r.id},${r.width},${r.height}`),
    );
  if (rows.every((r) => r.masks !== undefined)) {
    const locLines: string[] = [];
    for (const r of rows) {
      if (r.masks!.length === 0) locLines.push(`${r.id},,`);
      for (const m of r.masks!) locLines.push(`${r.id},${m},`);
    }
    writeFileAtomic(join(splitDir, 'localization.txt'), `${locLines.join('\n')}\n`);
  }
}

/** Counts per class of a split. */
export function classCounts(rows: readonly SplitRow[], numClasses: number): number[] {
  const c = new Array<number>(numClasses).fill(0);
  for (const r of rows) c[r.label]!++;
  return c;
}
