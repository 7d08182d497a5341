import { join } from 'node:path';
import { writeFileAtomic } from '@wslbench/core';
import { DEFAULT_RESULTS_DIR } from '@wslbench/data';
import { galleryFromSavedMaps, listMapDatasets } from '@wslbench/report';
import type { Command } from 'commander';

/** `wslbench visualize`: gallery rows (image | ground truth | CAM | method | U-Net) from saved maps. */
export function registerVisualizeCommand(program: Command): void {
  program
    .command('visualize')
    .description('render image | ground truth | CAM | method | U-Net overlays from maps saved under <results>/maps')
    .requiredOption('--method <id>', 'method whose maps go between CAM and U-Net')
    .option('--dataset <id>', 'dataset (default: every dataset with saved maps of the method)')
    .option('--backbone <id>', 'backbone id, e.g. vgg16:w0.125 (default: the one with most saved methods)')
    .option('--run <f-s>', 'run of the method, e.g. f0-s1 (default: smallest fold, then seed)')
    .option('--images <ids>', 'comma-separated image ids (default: the first 4 saved)')
    .option('--results <dir>', 'results folder (default <repo>/results)')
    .option('--out <dir>', 'output folder (default <results>/report/visualize)')
    .action(
      async (o: {
        method: string;
        run?: string;
        dataset?: string;
        backbone?: string;
        images?: string;
        results?: string;
        out?: string;
      }) => {
        const results = o.results ?? DEFAULT_RESULTS_DIR;
        const out = o.out ?? join(results, 'report', 'visualize');
        const datasets = o.dataset ? [o.dataset] : listMapDatasets(results);
        if (datasets.length === 0) throw new Error(`no saved maps under ${results}/maps`);
        const images = o.images
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        let written = 0;
        for (const dataset of datasets) {
          let rows: Awaited<ReturnType<typeof galleryFromSavedMaps>>;
          try {
            rows = await galleryFromSavedMaps(results, {
              dataset,
              method: o.method,
              run: o.run,
              backbone: o.backbone,
              images,
            });
          } catch (e) {
            if (o.dataset) throw e;
            process.stderr.write(`skipped ${dataset}: ${(e as Error).message}\n`);
            continue;
          }
          for (const row of rows) {
            const path = join(out, `${dataset}-${o.method}-${row.backbone}-${row.imageId}.png`);
            writeFileAtomic(path, row.png);
            process.stdout.write(`${path}\n`);
            written++;
          }
        }
        if (written === 0) throw new Error(`no saved maps of method '${o.method}' under ${results}/maps`);
      },
    );
}
