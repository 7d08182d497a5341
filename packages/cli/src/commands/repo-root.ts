import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository this CLI runs from (src/commands and dist/commands are both four levels below it). */
export function repoRoot(): string {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  if (!existsSync(join(root, 'methods')) || !existsSync(join(root, 'package.json')))
    throw new Error(`${root}: not the wslbench repository (no methods/ or package.json)`);
  return root;
}
