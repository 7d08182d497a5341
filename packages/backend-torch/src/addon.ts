import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the compiled addon exposes (native/addon.cc). */
export interface TorchAddon {
  write(values: Float32Array | Int32Array | Uint8Array, shape: number[], dtype: number): number;
  read(handle: number): Float32Array | Int32Array | Uint8Array;
  dispose(handle: number): void;
  /** Runs a native kernel; each output row is [handle, dtypeCode, ...shape]. A handle < 0 is an absent input. */
  run(name: string, handles: number[], attrs: object | undefined): number[][];
  stats(): { tensors: number; bytes: number };
  kernels(): string[];
  configure(opts: { threads?: number; device?: 'cpu' | 'cuda' }): TorchRuntime;
}

export interface TorchRuntime {
  version: string;
  threads: number;
  device: 'cpu' | 'cuda';
  cudaAvailable: boolean;
  /** at::get_parallel_info(): the threading library and its settings. */
  parallel: string;
}

/** build/status.json, written by scripts/build-addon.mjs. */
export interface BuildStatus {
  built: boolean;
  reason?: string;
  libtorch?: string;
  how?: string;
  lib?: string;
  cuda?: boolean;
}

export type AddonLoad =
  | { ok: true; addon: TorchAddon; path: string; build: BuildStatus }
  | { ok: false; reason: string };

// WSLBENCH_TORCH_ADDON=<path to wslbench_torch.node> overrides the package's build/ (a bundled copy of this module,
// as the GPU device check runs, has no package folder); status.json is read beside it.
const addonPath = process.env.WSLBENCH_TORCH_ADDON
  ? resolve(process.env.WSLBENCH_TORCH_ADDON)
  : fileURLToPath(new URL('../build/wslbench_torch.node', import.meta.url));
const statusPath = join(dirname(addonPath), 'status.json');
let loaded: AddonLoad | null = null;

function buildStatus(): BuildStatus | null {
  try {
    return JSON.parse(readFileSync(statusPath, 'utf8')) as BuildStatus;
  } catch {
    return null;
  }
}

/** Load the addon once; never throws: a failure says why (not built and why, or the library that did not load). */
export function loadAddon(): AddonLoad {
  if (loaded) return loaded;
  const status = buildStatus();
  if (!existsSync(addonPath)) {
    if (process.env.WSLBENCH_TORCH_ADDON) {
      loaded = { ok: false, reason: `WSLBENCH_TORCH_ADDON=${process.env.WSLBENCH_TORCH_ADDON}: no such file` };
      return loaded;
    }
    loaded = {
      ok: false,
      reason: status?.reason
        ? `the torch addon was not built: ${status.reason}`
        : 'the torch addon was not built (run `npm run build`; needs libtorch: apt-get install libtorch-dev g++, or LIBTORCH=...)',
    };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(addonPath) as TorchAddon;
    loaded = { ok: true, addon, path: addonPath, build: status ?? { built: true } };
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    const lib = status?.lib ? ` built against ${status.how ?? 'libtorch'} in ${status.lib}` : '';
    loaded = {
      ok: false,
      reason: `the torch addon ${addonPath}${lib} does not load (libtorch missing, moved, or of another version/ABI; rebuild with \`npm run build:addon -w packages/backend-torch\`): ${msg}`,
    };
  }
  return loaded;
}
