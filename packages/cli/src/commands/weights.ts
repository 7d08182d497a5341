import { checkKerasWeights } from '@wslbench/backbones';
import type { Command } from 'commander';

/** `wslbench weights check PATH`: which backbone a Keras ImageNet `*_notop.h5` is for, and whether every tensor fits. */
export function registerWeightsCommand(program: Command): void {
  const weights = program.command('weights').description('pretrained backbone weights (Keras ImageNet *_notop.h5)');
  weights
    .command('check')
    .description('identify a Keras weights file and match every tensor against the WSOL backbone')
    .argument('<path>', 'path to e.g. resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5')
    .action(async (path: string) => {
      const r = await checkKerasWeights(path);
      const out = [
        `file: ${r.file}`,
        `backbone: ${r.backbone}`,
        `matched: ${r.matchedTensors} tensors in ${r.matchedLayers} layers`,
        `kept at their initialisation (added by the WSOL form): ${r.keptInit.length ? r.keptInit.join(', ') : 'none'}`,
        `Keras layers not used by the WSOL form: ${r.ignoredLayers.length}${r.ignoredLayers.length ? ` (${r.ignoredLayers.slice(0, 6).join(', ')}${r.ignoredLayers.length > 6 ? ', ...' : ''})` : ''}`,
      ];
      process.stdout.write(`${out.join('\n')}\n`);
      if (r.problems.length) {
        throw new Error(`weights check: ${r.problems.length} problem(s):\n  ${r.problems.join('\n  ')}`);
      }
      process.stdout.write('ok\n');
    });
}
