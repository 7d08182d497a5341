import { type EngineInfo, initEngine } from '@wslbench/engine';
import type { Command } from 'commander';

/** `wslbench env`: which TF.js backend runs, why, and what it can do. */
export function registerEnvCommand(program: Command): void {
  program
    .command('env')
    .description(
      'Show the TF.js backend chosen, its version, threads and device, and why each native backend (TensorFlow, torch) is or is not used',
    )
    .option('--json', 'print the engine info as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { backend } = cmd.optsWithGlobals<{ backend?: string }>();
      const info = await initEngine({ backend });
      process.stdout.write(opts.json ? `${JSON.stringify(info, null, 2)}\n` : formatEngineInfo(info));
    });
}

export function formatEngineInfo(info: EngineInfo): string {
  const lines = [
    `backend:          ${info.backend}`,
    `why:              ${info.backendReason}`,
    `TF.js:            ${info.tfjsVersion}`,
    `native TF:        ${info.native.available ? `yes (${info.native.package})` : `no - ${info.native.reason}`}`,
    `torch:            ${info.torch ? `libtorch ${info.torch.version} (${info.torch.libtorch})` : info.torchReason}`,
  ];
  if (info.torch) {
    lines.push(`torch device:     ${info.torch.device}${info.torch.cudaAvailable ? ' (CUDA available)' : ''}`);
    lines.push(`torch threads:    ${info.torch.threads}`);
    lines.push(
      `torch BLAS:       ${info.torch.blas ?? 'unknown'}${info.torch.blasWarning ? ` - WARNING: ${info.torch.blasWarning}` : ''}`,
    );
    lines.push(
      `torch kernels:    ${info.torch.nativeKernels.length} native, ${info.torch.fallbackKernels.length} on the CPU fallback`,
    );
  }
  if (info.wasm) {
    lines.push(`wasm SIMD:        ${info.wasm.simd ? 'yes' : 'no'}`);
    lines.push(
      `wasm threads:     ${info.wasm.threads}${info.wasm.multithreadSupported ? '' : ' (multithreading unsupported here)'}`,
    );
  }
  if (info.engineKernels.length) lines.push(`engine kernels:   ${info.engineKernels.join(', ')}`);
  lines.push(
    `packages:         ${Object.entries(info.packages)
      .map(([k, v]) => `${k}@${v}`)
      .join(', ')}`,
  );
  return `${lines.join('\n')}\n`;
}
