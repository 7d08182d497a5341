import { type EngineInfo, initEngine } from '@wslbench/engine';
import type { Command } from 'commander';

/** `wslbench env`: which TF.js backend runs, why, and what it can do. */
export function registerEnvCommand(program: Command): void {
  program
    .command('env')
    .description(
      'Show the TF.js backend chosen, its version, SIMD/threads, and whether native TensorFlow is available (and if not, why)',
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
  ];
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
