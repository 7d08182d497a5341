import { type AnyMethod, parseStrict, RunConfig } from '@wslbench/core';

/** Resolve and validate one run config (method hyper-parameters with their defaults filled in). */
export function resolveConfig(fields: Record<string, unknown>, method: AnyMethod, what: string): RunConfig {
  const config = parseStrict(RunConfig, { ...fields, resultsDir: 'cells/pending' }, what);
  const hp = method.hyperparams.safeParse(config.hp);
  if (!hp.success) {
    const issue = hp.error.issues[0];
    throw new Error(`${what}: hp.${issue?.path.join('.') ?? ''}: ${issue?.message} (method '${method.id}')`);
  }
  return { ...config, hp: hp.data as Record<string, unknown> };
}
