import type { ClassPxap } from '@wslbench/core';
import { getMethod } from '@wslbench/registry';
import { evaluateRecord } from '@wslbench/trainer';
import type { Command } from 'commander';
import { backboneFactory, openRunDataset, startEngine } from './run-deps.js';

/** `wslbench evaluate RESULT_OR_CHECKPOINT`: re-evaluate a kept snapshot on test and print its scores. */
export function registerEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description(
      're-evaluate a stored checkpoint on test (a result record .json, a checkpoint folder or its state.json)',
    )
    .argument('<target>', 'result record or checkpoint')
    .option('--which <name>', 'best_localization | best_classification (default: the one the run reports)')
    .option('--json', 'print the scores as JSON (PR curve included)')
    .action(async (target: string, flags: { which?: string; json?: boolean }, cmd: Command) => {
      if (flags.which && flags.which !== 'best_localization' && flags.which !== 'best_classification') {
        throw new Error(`--which: expected best_localization | best_classification, got '${flags.which}'`);
      }
      await startEngine(cmd);
      const r = await evaluateRecord(target, {
        getMethod,
        openDataset: openRunDataset,
        createBackbone: backboneFactory,
        ...(flags.which ? { which: flags.which as 'best_localization' | 'best_classification' } : {}),
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      const s = r.scores;
      process.stdout.write(
        `${r.dir}\n${r.which} (epoch ${r.epoch}) on test: PxAP ${s.pxap.toFixed(2)}  CL ${s.clAccuracy.toFixed(2)}  ` +
          `IoU ${s.iou.toFixed(2)}  Dice ${s.dice.toFixed(2)}  tau ${s.bestTau}  (foreground ${(100 * r.testForegroundFraction).toFixed(2)}%)\n`,
      );
      if (s.pxapPerClass) process.stdout.write(`per class: ${formatPerClass(s.pxapPerClass, r.classNames)}\n`);
    });
}

/** `benign PxAP 44.80 (foreground 38.40%, 30 images)  |  malignant ...`; a class without foreground has no PxAP. */
export function formatPerClass(perClass: readonly ClassPxap[], names: readonly string[]): string {
  return perClass
    .map((c, k) => {
      const name = names[k] ?? `class ${k}`;
      const px = c.pxap === null ? 'no foreground' : `PxAP ${c.pxap.toFixed(2)}`;
      return `${name} ${px} (foreground ${(100 * c.foregroundFraction).toFixed(2)}%, ${c.images} images)`;
    })
    .join('  |  ');
}
