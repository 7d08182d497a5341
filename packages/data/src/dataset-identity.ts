import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The identity of a dataset folder in the split-file format: `folder-<hash>` over its class encoding and every split
 * file of every fold (names relative to the folder, then bytes). Seeds, the valpx draw and result paths derive from
 * it, so a byte-identical copy elsewhere trains identically and files its records at the same place; where the folder
 * lies never enters a run. Images are not hashed (the split files name them; `data check` verifies them).
 */
export function folderIdentity(root: string): string {
  const h = createHash('sha256');
  const files = ['encoding.yaml'];
  for (const fold of readdirSync(root)
    .filter((f) => /^fold-\d+$/.test(f))
    .sort())
    for (const split of readdirSync(join(root, fold)).sort()) {
      const dir = join(root, fold, split);
      if (!statSync(dir).isDirectory()) continue;
      for (const f of readdirSync(dir).sort()) if (/\.txt(\.gz)?$/.test(f)) files.push(`${fold}/${split}/${f}`);
    }
  for (const rel of files) {
    h.update(`${rel}\0`);
    h.update(readFileSync(join(root, rel)));
    h.update('\0');
  }
  return `folder-${h.digest('hex').slice(0, 12)}`;
}
