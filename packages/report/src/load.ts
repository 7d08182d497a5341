import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type ClassPxap, ResultRecord, readJsonFile, resultPath } from '@wslbench/core';
import { noteMethods } from './names.js';

export interface LoadedRecord {
  record: ResultRecord;
  /** Path relative to the results folder (forward slashes). */
  file: string;
}

function listJson(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listJson(p));
    else if (name.endsWith('.json') && !name.includes('.tmp-')) out.push(p);
  }
  return out;
}

function checkPercent(file: string, field: string, v: number): void {
  if (!Number.isFinite(v) || v < 0 || v > 100) {
    throw new Error(`${file}: ${field} = ${v} is not a percentage in [0, 100] (records store PxAP and CL in %)`);
  }
}

/**
 * Records store PxAP and CL accuracy in percent, as the paper reports them (IoU, Dice and curves as fractions);
 * the report works on fractions throughout. These convert at the boundary.
 */
export function recordToFractions(r: ResultRecord): ResultRecord {
  return scaleScores(r, 1 / 100);
}

export function recordToPercent(r: ResultRecord): ResultRecord {
  return scaleScores(r, 100);
}

function scaleScores(r: ResultRecord, k: number): ResultRecord {
  const scale = <T extends { pxap: number; clAccuracy: number; pxapPerClass?: ClassPxap[] }>(s: T): T => ({
    ...s,
    pxap: s.pxap * k,
    clAccuracy: s.clAccuracy * k,
    ...(s.pxapPerClass
      ? { pxapPerClass: s.pxapPerClass.map((c) => ({ ...c, pxap: c.pxap === null ? null : c.pxap * k })) }
      : {}),
  });
  return {
    ...r,
    selection: r.selection.map(scale),
    test: r.test ? scale(r.test) : r.test,
    ...(r.testBestClassification ? { testBestClassification: scale(r.testBestClassification) } : {}),
  };
}

/** Validate one parsed record beyond the schema: location and value ranges. */
function checkRecord(file: string, r: ResultRecord): void {
  const expected = resultPath(r);
  if (file !== expected) throw new Error(`${file}: record fields say it belongs at '${expected}'`);
  if (r.test) {
    checkPercent(file, 'test.pxap', r.test.pxap);
    checkPercent(file, 'test.clAccuracy', r.test.clAccuracy);
    r.test.pxapPerClass?.forEach((c, k) => {
      if (c.pxap !== null) checkPercent(file, `test.pxapPerClass[${k}].pxap`, c.pxap);
    });
  }
  r.selection.forEach((s, i) => {
    checkPercent(file, `selection[${i}].pxap`, s.pxap);
    checkPercent(file, `selection[${i}].clAccuracy`, s.clAccuracy);
  });
}

/**
 * Every result record under `<resultsDir>/runs` (none when the folder is absent), validated with the
 * ResultRecord schema. A malformed file is an error naming the file and field: nothing is skipped silently.
 * `only`: the record files (relative to `resultsDir`, e.g. `runs/<dataset>/...json`) a caller asked for, e.g. a
 * benchmark's own cells; the others are not read.
 */
export function loadRecords(resultsDir: string, only?: ReadonlySet<string>): LoadedRecord[] {
  const runs = join(resultsDir, 'runs');
  if (!existsSync(runs)) return [];
  const fileOf = (p: string) => relative(resultsDir, p).split(sep).join('/');
  const wanted = only ? listJson(runs).filter((p) => only.has(fileOf(p))) : listJson(runs);
  const loaded = wanted.map((p) => {
    const file = fileOf(p);
    const parsed = ResultRecord.safeParse(readJsonFile(p));
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new Error(`${p}: not a valid result record: ${issues}`);
    }
    checkRecord(file, parsed.data);
    return { record: recordToFractions(parsed.data), file };
  });
  noteMethods(loaded.map((l) => l.record));
  return loaded;
}
