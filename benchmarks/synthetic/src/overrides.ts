import type { RunConfig } from '@wslbench/core';

/**
 * Per-cell departures from the base config, with the reason for each. Everything else is the protocol's default.
 */
export function cellOverrides(
  method: string,
  _backbone: string,
  _dataset: string,
  base: RunConfig,
): Partial<RunConfig> {
  switch (method) {
    // The reference trains NEGEV's decoder with lr 0.1 (README command) against CAM's 0.003.
    case 'negev':
      return { optimizer: { ...base.optimizer, lr: 0.1 } };
    default:
      return {};
  }
}
