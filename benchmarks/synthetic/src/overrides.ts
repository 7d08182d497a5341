import type { RunConfig } from '@wslbench/core';

/**
 * Per-cell departures from the base config (none at present), each with its reason. Notes on the base itself:
 * every cell uses lr 0.01 — the reference's CAM lr is 0.003 over 1000 epochs; with 3 short epochs from the
 * pretrained encoder, 0.003 left the new heads at chance. NEGEV's reference lr is 0.1 for a fresh decoder over
 * 1000 epochs; here the decoders (NEGEV, U-Net) stay at the base 0.01.
 */
export function cellOverrides(
  _method: string,
  _backbone: string,
  _dataset: string,
  _base: RunConfig,
): Partial<RunConfig> {
  return {};
}
