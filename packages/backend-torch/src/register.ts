import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { registerBackend } from '@tensorflow/tfjs-core';
import { loadAddon, type TorchRuntime } from './addon.js';
import { TorchBackend } from './backend.js';
import { BACKEND_NAME, registerTorchKernels } from './kernels.js';

export interface TorchOptions {
  /** Intra-op threads (default: one per core the process may use). */
  threads?: number;
  /** 'cuda' needs a CUDA libtorch and a visible GPU; default: cuda when available, else cpu. */
  device?: 'cpu' | 'cuda';
}

export interface TorchBackendInfo extends TorchRuntime {
  /** The BLAS libtorch's GEMMs (linear layers, 1x1 convolutions) run on, as loaded; null when it cannot be told. */
  blas: string | null;
  /** Set when that BLAS is the slow reference one (Debian's default without OpenBLAS). */
  blasWarning: string | null;
  /** The libtorch the addon was built against and how it was found. */
  libtorch: string;
  addon: string;
  nativeKernels: string[];
  fallbackKernels: string[];
}

export type TorchRegistration = { ok: true; info: TorchBackendInfo } | { ok: false; reason: string };

let backend: TorchBackend | null = null;

/**
 * Load the addon, configure threads and device, and register the 'torch' backend with its kernels. Never throws for
 * an absent or broken libtorch (the reason comes back); throws for a bad option (unknown device, threads < 1, or cuda
 * without CUDA).
 */
export function registerTorchBackend(opts: TorchOptions = {}): TorchRegistration {
  const load = loadAddon();
  if (!load.ok) return { ok: false, reason: load.reason };
  const probe = load.addon.configure({ threads: opts.threads ?? availableParallelism() });
  // Default device: the GPU when this libtorch has CUDA and sees one.
  const runtime = load.addon.configure({ device: opts.device ?? (probe.cudaAvailable ? 'cuda' : 'cpu') });
  const { native, fallback } = registerTorchKernels(load.addon.kernels());
  if (!backend) {
    backend = new TorchBackend(load.addon);
    const instance = backend;
    registerBackend(BACKEND_NAME, () => instance, 0); // priority 0: chosen by the engine, never by default
  }
  const blas = loadedBlas();
  return {
    ok: true,
    info: {
      ...runtime,
      blas,
      blasWarning:
        blas && !/openblas|mkl|blis/i.test(blas)
          ? `libtorch's GEMMs run on the reference BLAS (${blas}), ~6x slower: apt-get install libopenblas0-openmp`
          : null,
      libtorch: `${load.build.how ?? 'libtorch'} ${load.build.libtorch ?? ''}`.trim(),
      addon: load.path,
      nativeKernels: native,
      fallbackKernels: fallback,
    },
  };
}

/** The BLAS library mapped into this process (Linux: /proc/self/maps), e.g. OpenBLAS behind Debian's libblas.so.3. */
function loadedBlas(): string | null {
  try {
    const libs = readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .map((l) => l.split(/\s+/).pop() ?? '')
      .filter((p) => /lib(open)?blas|libmkl|libblis/.test(p));
    return libs.find((p) => /openblas|mkl|blis/.test(p)) ?? libs[0] ?? null;
  } catch {
    return null;
  }
}
