import type { ResultRecord, RunConfig } from '@wslbench/core';
import { getMethod } from '@wslbench/registry';
import { runConfigured } from '@wslbench/trainer';
import type { TrainFn } from './cell.js';

/**
 * The real training of a cell, through the trainer's public entry point. The method is looked up here (an unknown
 * id fails before any data is opened).
 */
export function trainerFn(backend?: string): TrainFn {
  return (config: RunConfig, opts): Promise<ResultRecord> => {
    const method = getMethod(config.method);
    return runConfigured(config, method, { ...(backend ? { backend } : {}), signal: opts.signal, resume: opts.resume });
  };
}
