import { existsSync, readFileSync } from 'node:fs';
import { type WeightSnapshot, writeFileAtomic } from '@wslbench/core';

/** Index entry of one tensor inside a Float32 blob: offset and length count float32 elements. */
export interface BlobEntry {
  name: string;
  shape: number[];
  offset: number;
}

/** A blob file (relative to its checkpoint folder) and the index that lets it be read back. */
export interface BlobRef {
  file: string;
  entries: BlobEntry[];
}

/** Write a snapshot as one little-endian Float32 file (atomically); returns its index for the JSON header. */
export function writeBlob(path: string, file: string, snap: WeightSnapshot): BlobRef {
  const names = Object.keys(snap).sort();
  const entries: BlobEntry[] = [];
  let total = 0;
  for (const name of names) {
    const s = snap[name]!;
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (n !== s.data.length) throw new Error(`writeBlob: '${name}' has ${s.data.length} values for shape [${s.shape}]`);
    entries.push({ name, shape: s.shape.slice(), offset: total });
    total += n;
  }
  const all = new Float32Array(total);
  for (let i = 0; i < names.length; i++) all.set(snap[names[i]!]!.data, entries[i]!.offset);
  writeFileAtomic(path, new Uint8Array(all.buffer, all.byteOffset, all.byteLength));
  return { file, entries };
}

/** Read a blob written by writeBlob, checking that its size matches the index. */
export function readBlob(path: string, ref: BlobRef): WeightSnapshot {
  if (!existsSync(path))
    throw new Error(
      `Checkpoint blob ${path} is missing (its header ${ref.file ? `indexes '${ref.file}'` : 'indexes it'}): the weights cannot be read`,
    );
  const bytes = readFileSync(path);
  const expected = ref.entries.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0) * 4;
  if (bytes.byteLength !== expected) {
    throw new Error(`Checkpoint blob ${path}: ${bytes.byteLength} bytes, the header describes ${expected}`);
  }
  // Copy into an aligned buffer: Node's file buffers may start at any byte offset.
  const all = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(all.buffer).set(bytes);
  const out: WeightSnapshot = {};
  for (const e of ref.entries) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    out[e.name] = { shape: e.shape.slice(), data: all.slice(e.offset, e.offset + n) };
  }
  return out;
}
