import type { RunConfig } from '@wslbench/core';
import { engineEnvInfo, initEngine } from '@wslbench/engine';
import { openConfiguredDataset, realBackboneFactory } from '@wslbench/trainer';
import type { Command } from 'commander';

/** Backend from the global --backend option (or env WSLBENCH_BACKEND), initialised once. */
export async function startEngine(cmd: Command) {
  const backend = (cmd.optsWithGlobals() as { backend?: string }).backend;
  const info = await initEngine(backend ? { backend } : {});
  return { info, env: engineEnvInfo(info) };
}

export const backboneFactory = realBackboneFactory;

export function openRunDataset(config: RunConfig) {
  return openConfiguredDataset(config);
}
