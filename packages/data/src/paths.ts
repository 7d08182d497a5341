import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The package folder (src/ and dist/ both sit one level below it). */
export const PACKAGE_DIR = resolve(here, '..');

/** Official split files shipped with the package: `splits/<GLAS|CAMELYON512>/...` (gzipped). */
export const SHIPPED_SPLITS_DIR = join(PACKAGE_DIR, 'splits');

/** The repository root (two levels above the package), where `data/` holds generated and installed datasets. */
export const REPO_ROOT = resolve(PACKAGE_DIR, '..', '..');

/** Default data root: $WSLBENCH_DATA, else `<repo>/data` (ignored by git). */
export function defaultDataRoot(): string {
  return process.env.WSLBENCH_DATA ? resolve(process.env.WSLBENCH_DATA) : join(REPO_ROOT, 'data');
}

export function shippedFoldDir(dataset: 'GLAS' | 'CAMELYON512', fold: number): string {
  const dir = join(SHIPPED_SPLITS_DIR, dataset, `fold-${fold}`);
  if (!existsSync(dir)) throw new Error(`no shipped split files for ${dataset} fold ${fold} (${dir})`);
  return dir;
}

/** Default results folder of every command: `<repo>/results`, wherever the command is started. */
export const DEFAULT_RESULTS_DIR = join(REPO_ROOT, 'results');

/**
 * A path named inside a run config of the repository (e.g. `encoderInit.file`): relative paths are relative to the
 * repository root, as the benchmark's config writer produces them, never to the directory a command was started in.
 */
export function repoPath(p: string): string {
  return isAbsolute(p) ? p : join(REPO_ROOT, p);
}
