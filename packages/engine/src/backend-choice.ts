import { execFileSync } from 'node:child_process';
import { version as tfjsUnionVersion } from '@tensorflow/tfjs';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { registerTorchBackend, type TorchBackendInfo } from '@wslbench/backend-torch';
import type { EnvInfo } from '@wslbench/core';
import { registerEngineGradients } from './batch-norm-grad.js';
import { gradientsRegistered } from './gradients.js';
import { registerWasmTrainingKernels, wasmTrainingKernels } from './kernels/index.js';

export type BackendName = 'tensorflow' | 'torch' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'torch', 'wasm', 'cpu'];
export type DeviceName = 'cpu' | 'cuda';

/** Native TF.js packages, best first. Optional dependencies: usually not installed. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export interface NativeProbe {
  /** The package that loaded, or null. */
  package: string | null;
  available: boolean;
  /** Why each candidate is unavailable (or that it loaded). */
  reason: string;
}

export interface EngineInfo {
  backend: BackendName;
  /** Why this backend: requested explicitly (option / env) or chosen as the best available. */
  backendReason: string;
  requested: BackendName | null;
  tfjsVersion: string;
  native: NativeProbe;
  wasm: { simd: boolean; threads: number; multithreadSupported: boolean } | null;
  /** The torch backend when it is the active one: libtorch version, device, threads, native/fallback kernels. */
  torch: TorchBackendInfo | null;
  /** Why torch is (not) available, whichever backend runs. */
  torchReason: string;
  /** Kernels the engine registered for the active backend (empty unless wasm). */
  engineKernels: string[];
  /** Versions of the @tensorflow/* packages in use. */
  packages: Record<string, string>;
}

export interface InitEngineOptions {
  /** Overrides env WSLBENCH_BACKEND; default: best available (tensorflow > torch > wasm; cpu only when asked). */
  backend?: BackendName | string;
  /** Intra-op threads of the torch backend (env WSLBENCH_THREADS; default: libtorch's, one per core). */
  threads?: number | string;
  /** Device of the torch backend (env WSLBENCH_DEVICE; default: cuda when the libtorch has it and a GPU is visible). */
  device?: DeviceName | string;
}

const initialised = new Map<string, EngineInfo>();
let lastInfo: EngineInfo | null = null;
let nativeProbe: Promise<NativeProbe> | null = null;
let nativeVersion: string | null = null;

/**
 * Choose and initialise the TF.js backend (and register the engine's training kernels on wasm). Idempotent: a
 * second call with the same request returns the same info (and re-activates that backend if it was switched).
 */
export async function initEngine(opts: InitEngineOptions = {}): Promise<EngineInfo> {
  const requested = parseRequest(opts.backend ?? process.env.WSLBENCH_BACKEND);
  const threads = parseThreads(opts.threads ?? process.env.WSLBENCH_THREADS);
  const device = parseDevice(opts.device ?? process.env.WSLBENCH_DEVICE);
  const key = `${requested ?? 'auto'}|${threads ?? ''}|${device ?? ''}`;
  const known = initialised.get(key);
  if (known) {
    // The torch addon's threads and device are process-wide: re-apply this request's.
    if (known.backend === 'torch')
      registerTorchBackend({ ...(threads ? { threads } : {}), ...(device ? { device } : {}) });
    if (tf.getBackend() !== known.backend) await activate(known.backend);
    lastInfo = known;
    return known;
  }
  if (!gradientsRegistered())
    throw new Error('engine: TF.js gradient functions are not registered (@tensorflow/tfjs failed to load)');
  registerEngineGradients();
  const native = await probeNative();
  // Torch is probed unless TensorFlow wins or another backend is forced: loading libtorch costs ~0.3 s.
  const wantTorch = requested === 'torch' || (requested === null && !native.available);
  const torch = wantTorch
    ? registerTorchBackend({ ...(threads ? { threads } : {}), ...(device ? { device } : {}) })
    : null;
  const torchReason = torch
    ? torch.ok
      ? `libtorch ${torch.info.version} (${torch.info.libtorch})`
      : torch.reason
    : 'not probed';
  let backend: BackendName;
  let backendReason: string;
  if (requested) {
    if (requested === 'tensorflow' && !native.available) {
      throw new Error(`backend 'tensorflow' requested, but no native TensorFlow backend loads: ${native.reason}`);
    }
    if (requested === 'torch' && !torch?.ok)
      throw new Error(`backend 'torch' requested, but it is unavailable: ${torchReason}`);
    backend = requested;
    backendReason = `requested (${opts.backend !== undefined ? 'option' : 'env WSLBENCH_BACKEND'})`;
  } else if (native.available) {
    backend = 'tensorflow';
    backendReason = `best available: native TensorFlow via ${native.package}`;
  } else if (torch?.ok) {
    backend = 'torch';
    backendReason = `best available: libtorch ${torch.info.version} on ${torch.info.device}, ${torch.info.threads} thread(s); native TensorFlow unavailable: ${native.reason}`;
  } else {
    backend = 'wasm';
    backendReason = `wasm (XNNPACK) with engine training kernels; torch unavailable: ${torchReason}; native TensorFlow unavailable: ${native.reason}`;
  }
  if (device === 'cuda' && backend !== 'torch' && backend !== 'tensorflow')
    throw new Error(
      `device 'cuda' (from --device or WSLBENCH_DEVICE) needs the torch or tensorflow backend, not ${backend}`,
    );
  await activate(backend);
  if (backend === 'wasm') registerWasmTrainingKernels();
  const info: EngineInfo = {
    backend,
    backendReason,
    requested,
    tfjsVersion: tf.version_core,
    native,
    wasm: backend === 'wasm' ? await wasmDetails() : null,
    torch: backend === 'torch' && torch?.ok ? torch.info : null,
    torchReason,
    engineKernels: backend === 'wasm' ? wasmTrainingKernels.map((k) => k.kernelName) : [],
    packages: tensorflowPackageVersions(native.package),
  };
  initialised.set(key, info);
  lastInfo = info;
  return info;
}

/** The EnvInfo block of a result record, from the engine's last initialisation (or the bare active backend). */
export function engineEnvInfo(info: EngineInfo | null = lastInfo): EnvInfo {
  const torch = info?.torch;
  return {
    ...(torch ? { libtorch: torch.version, device: torch.device, threads: torch.threads } : {}),
    backend: info?.backend ?? tf.getBackend() ?? 'none',
    backendReason: info?.backendReason ?? 'initEngine was not called',
    tfjsVersion: tf.version_core,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    packages: info?.packages ?? tensorflowPackageVersions(null),
    commit: gitCommit(),
  };
}

/** Probe the native packages once (dynamic import in try/catch: they are optional dependencies). */
export function probeNative(): Promise<NativeProbe> {
  nativeProbe ??= (async () => {
    const why: string[] = [];
    for (const name of NATIVE_PACKAGES) {
      try {
        const mod = (await import(name)) as { version?: Record<string, string> };
        nativeVersion = mod.version?.['tfjs-node'] ?? null;
        if (tf.findBackendFactory('tensorflow')) return { package: name, available: true, reason: `${name} loaded` };
        why.push(`${name} loaded but registered no 'tensorflow' backend`);
      } catch (err) {
        why.push(`${name} ${describeLoadError(err)}`);
      }
    }
    return { package: null, available: false, reason: why.join('; ') };
  })();
  return nativeProbe;
}

function describeLoadError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (
    e?.code === 'ERR_MODULE_NOT_FOUND' ||
    e?.code === 'MODULE_NOT_FOUND' ||
    /Cannot find (module|package)/.test(e?.message ?? '')
  ) {
    return 'is not installed';
  }
  return `failed to load (${(e?.message ?? String(err)).split('\n')[0]})`;
}

function parseRequest(raw: string | undefined): BackendName | null {
  if (raw === undefined || raw === '' || raw === 'auto') return null;
  if ((BACKEND_NAMES as readonly string[]).includes(raw)) return raw as BackendName;
  throw new Error(
    `unknown backend '${raw}' (from --backend or WSLBENCH_BACKEND): expected one of ${BACKEND_NAMES.join(', ')}, auto`,
  );
}

function parseThreads(raw: number | string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`threads must be a positive integer (from --threads or WSLBENCH_THREADS), got '${raw}'`);
  return n;
}

function parseDevice(raw: string | undefined): DeviceName | null {
  if (raw === undefined || raw === '' || raw === 'auto') return null;
  if (raw === 'cpu' || raw === 'cuda') return raw;
  throw new Error(`unknown device '${raw}' (from --device or WSLBENCH_DEVICE): expected cpu, cuda or auto`);
}

async function activate(backend: BackendName): Promise<void> {
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) throw new Error(`TF.js backend '${backend}' failed to initialise`);
  await tf.ready();
}

async function wasmDetails(): Promise<EngineInfo['wasm']> {
  return {
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    multithreadSupported: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    threads: getThreadsCount(),
  };
}

/** Versions as the loaded modules report them (no package.json lookup: works from any cwd and under Jest). */
function tensorflowPackageVersions(nativePackage: string | null): Record<string, string> {
  const out: Record<string, string> = {
    '@tensorflow/tfjs': tfjsUnionVersion.tfjs ?? 'unknown',
    '@tensorflow/tfjs-core': tf.version_core,
    '@tensorflow/tfjs-backend-cpu': version_cpu,
    '@tensorflow/tfjs-backend-wasm': version_wasm,
  };
  if (nativePackage) out[nativePackage] = nativeVersion ?? 'unknown';
  return out;
}

function gitCommit(): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ||
      null
    );
  } catch {
    return null;
  }
}
