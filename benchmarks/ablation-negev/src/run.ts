import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBackbone } from '@wslbench/backbones';
import { cellConfig, pretrainedFile, synthSettings } from '@wslbench/bench-synthetic';
import { type AnyMethod, type EnvInfo, ResultRecord, RunConfig, resultPath, writeJsonAtomic } from '@wslbench/core';
import { openDataset } from '@wslbench/data';
import { engineEnvInfo, initEngine } from '@wslbench/engine';
import { method as cam } from '@wslbench/method-cam';
import { method as negev } from '@wslbench/method-negev';
import {
  type PretrainedWeights,
  plainProgress,
  pretrainedFor,
  readEncoderFile,
  silentProgress,
  trainRun,
} from '@wslbench/trainer';
import { ablationTables, negevVariants, variantKey } from './ablations.js';
import { renderTable, type TableLayout } from './format.js';
import { type AblationOptions, parseCli } from './options.js';

export interface AblationResult {
  /** PxAP on test by row key ('cam' or a NEGEV variant key), dataset and backbone. */
  pxap: Record<string, Record<string, Record<string, number | null>>>;
  tables: string[];
}

/** Train (or reuse) the CAM classifier and every NEGEV variant of the selected tables, then render the tables. */
export async function runAblations(
  opts: AblationOptions,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<AblationResult> {
  const info = await initEngine(opts.backend ? { backend: opts.backend } : {});
  const env = engineEnvInfo(info);
  const tables = ablationTables(opts.quick).filter((t) => opts.tables.includes(t.id));
  const pxap: AblationResult['pxap'] = {};
  const put = (row: string, dataset: string, backbone: string, v: number | null) => {
    pxap[row] ??= {};
    pxap[row][dataset] ??= {};
    pxap[row][dataset][backbone] = v;
  };
  const layout: TableLayout = { datasets: [], backbones: opts.backbones };

  for (const datasetId of opts.datasets) {
    const synth = synthSettings()[datasetId];
    const dataset = await openDataset({
      dataset: datasetId,
      fold: 0,
      ...(opts.dataRoot ? { dataRoot: opts.dataRoot } : {}),
      ...(synth ? { synth } : {}),
    });
    const paper = /camelyon/.test(dataset.id) ? 'camelyon16' : 'glas';
    layout.datasets.push({ id: dataset.id, paper, hasFullyNegative: dataset.hasFullyNegative });
    const variants = negevVariants(tables, dataset.hasFullyNegative);
    for (const backbone of opts.backbones) {
      const camDir = join(opts.resultsDir, 'cam');
      const camRec = await ensureRun(cam, {}, camDir, opts.camEpochs, opts.camLr);
      put('cam', dataset.id, backbone, camRec.test?.pxap ?? null);
      const pretrained = pretrainedFor(
        negev,
        camDir,
        { dataset: dataset.id, backbone, fold: 0, seed: opts.seed },
        'best_localization',
      );
      for (const [key, hp] of variants) {
        const rec = await ensureRun(negev, hp, join(opts.resultsDir, 'negev', key), opts.epochs, opts.lr, pretrained);
        put(key, dataset.id, backbone, rec.test?.pxap ?? null);
      }

      async function ensureRun(
        method: AnyMethod,
        hp: Record<string, unknown>,
        dir: string,
        epochs: number,
        lr: number,
        pre?: PretrainedWeights,
      ) {
        const bench = cellConfig(method.id, backbone, dataset.id);
        const config = RunConfig.parse({
          method: method.id,
          backbone,
          dataset: dataset.id,
          ...(opts.dataRoot ? { dataRoot: opts.dataRoot } : {}),
          seed: opts.seed,
          epochs,
          input: opts.input,
          ...(synth ? { synth } : {}),
          ...(method.id === 'cam' && existsSync(pretrainedFile(backbone))
            ? { encoderInit: { file: pretrainedFile(backbone) } }
            : {}),
          // The synthetic benchmark's recipe for this cell (head lr ratio, schedule, selection) at the ablation's lr.
          optimizer: { ...bench.optimizer, lr, batchSize: opts.batchSize },
          selection: bench.selection,
          // The main job's hyper-parameters for the cell (NEGEV's decoder width), under the variant's.
          hp: { ...bench.hp, ...hp },
          resultsDir: dir,
        });
        const label = `${method.id}${method.id === 'negev' ? ` [${variantKey(hp, dataset.hasFullyNegative)}]` : ''} ${backbone} ${dataset.id}`;
        const done = finishedRecord(method, config, dataset.id);
        if (done) {
          log(`reuse  ${label}: PxAP ${done.test?.pxap.toFixed(2) ?? 'failed'}`);
          return done;
        }
        const t0 = performance.now();
        const rec = await trainRun(config, {
          method,
          dataset,
          createBackbone: (id, o) => createBackbone(id, { params: o.params }),
          env: env as EnvInfo,
          progress: opts.verbose ? plainProgress() : silentProgress(),
          resume: true,
          ...(pre ? { pretrained: pre } : {}),
          ...(config.encoderInit
            ? {
                initBackbone: async (b) =>
                  b.params.restore(readEncoderFile(config.encoderInit!.file), { prefix: b.prefix }),
              }
            : {}),
        });
        const s = ((performance.now() - t0) / 1000).toFixed(0);
        log(
          `ran    ${label}: PxAP ${rec.test ? rec.test.pxap.toFixed(2) : `failed (${rec.failure?.reason})`} (${s} s)`,
        );
        return rec;
      }
    }
  }

  const rendered = tables.map((t) =>
    renderTable(t, layout, (label, dataset, backbone) => {
      const row = t.rows.find((r) => r.label === label)!;
      const hasNeg = layout.datasets.find((d) => d.id === dataset)!.hasFullyNegative;
      const key = row.run === 'cam' ? 'cam' : variantKey(row.run, hasNeg);
      return pxap[key]?.[dataset]?.[backbone];
    }),
  );
  writeJsonAtomic(join(opts.resultsDir, 'summary.json'), { options: opts, pxap, tables: rendered });
  return { pxap, tables: rendered };
}

/** A finished ('ok') record of exactly this run config (hyper-parameters compared after defaults), if any. */
function finishedRecord(method: AnyMethod, config: RunConfig, datasetId: string): ResultRecord | undefined {
  const path = join(config.resultsDir, resultPath({ ...config, dataset: datasetId }));
  if (!existsSync(path)) return undefined;
  const rec = ResultRecord.parse(JSON.parse(readFileSync(path, 'utf8')));
  if (rec.status !== 'ok') return undefined;
  const norm = (c: Record<string, unknown>) =>
    JSON.stringify({ ...c, resultsDir: null, hp: method.hyperparams.parse(c.hp ?? {}) });
  return norm(rec.config) === norm(config as unknown as Record<string, unknown>) ? rec : undefined;
}

async function main(): Promise<void> {
  const opts = parseCli(process.argv.slice(2));
  const t0 = performance.now();
  const { tables } = await runAblations(opts);
  process.stdout.write(
    `\n${tables.join('\n\n')}\n\nwall time ${((performance.now() - t0) / 1000).toFixed(0)} s; summary in ${join(opts.resultsDir, 'summary.json')}\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`ablation-negev: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
