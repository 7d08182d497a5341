// Benchmark worker (a child process): trains the cells the parent sends, one at a time, on its own core.
import type { SelectionEntry } from '@wslbench/core';
import { getMethod } from '@wslbench/registry';
import { type ProgressSink, RunInterruptedError, runConfiguredShared } from '@wslbench/trainer';
import type { Cell } from './cells.js';
import { pretrainEncoder } from './pretrain.js';
import { mapSaver } from './save-maps.js';

/** Test images per run saved for the report's galleries. */
const GALLERY_IMAGES = 4;

/** What the parent sends: a benchmark cell, or the pretraining of a backbone. */
export type WorkPayload =
  | { kind: 'cell'; cell: Cell }
  | { kind: 'group'; cells: Cell[] }
  | { kind: 'pretrain'; backbone: string };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'epoch'; id: string; entry: SelectionEntry; epochs: number }
  | { type: 'result'; id: string; ok: boolean; message?: string };

const send = (m: WorkerMessage) => process.send?.(m);

/** Epoch messages under each cell's own id (a shared training evaluates several cells per epoch). */
function ipcProgress(idOf: (method: string) => string): ProgressSink {
  let epochs = 0;
  return {
    start(i) {
      epochs = i.epochs;
    },
    step() {},
    evaluated(e) {
      send({ type: 'epoch', id: idOf(e.method), entry: e, epochs });
    },
    log() {},
    stop() {},
  };
}

const controller = new AbortController();
process.on('SIGINT', () => controller.abort());

process.on('message', async (msg: { type: string; id?: string; payload?: WorkPayload }) => {
  if (msg.type === 'exit') process.exit(0);
  if (msg.type !== 'job' || !msg.payload || !msg.id) return;
  const id = msg.id;
  try {
    const p = msg.payload;
    if (p.kind === 'pretrain') {
      await pretrainEncoder(p.backbone, { log: (l) => process.stdout.write(`${l}\n`) });
      return send({ type: 'result', id, ok: true });
    }
    const cells = p.kind === 'group' ? p.cells : [p.cell];
    const byMethod = new Map(cells.map((c) => [c.config.method, c]));
    const records = await runConfiguredShared(
      cells.map((c) => c.config),
      cells.map((c) => getMethod(c.config.method)),
      {
        ...(process.env.WSLBENCH_BACKEND ? { backend: process.env.WSLBENCH_BACKEND } : {}),
        progress: ipcProgress((m) => byMethod.get(m)?.name ?? id),
        signal: controller.signal,
        resume: true,
        onTestMaps: (m) => mapSaver(byMethod.get(m)!.config, byMethod.get(m)!.config.dataset, GALLERY_IMAGES),
      },
    );
    const failed = records.filter((r) => r.status !== 'ok');
    send({
      type: 'result',
      id,
      ok: failed.length === 0,
      ...(failed.length ? { message: failed.map((r) => `${r.method}: ${r.failure?.reason}`).join('; ') } : {}),
    });
  } catch (e) {
    if (e instanceof RunInterruptedError) process.exit(130);
    send({ type: 'result', id, ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});

send({ type: 'ready' });
