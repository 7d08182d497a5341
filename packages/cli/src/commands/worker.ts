import { DEFAULT_QUEUE, startWorker } from '@wslbench/grid';
import type { Command } from 'commander';
import { cellCommand, listOption, positiveInt } from './grid.js';

/** `wslbench worker`: serves a BullMQ queue, each cell in a child process; stops cleanly on SIGINT / SIGTERM. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run grid cells from a BullMQ/Redis queue (one child process per cell) until stopped')
    .requiredOption('--redis <url>', 'Redis URL, e.g. redis://127.0.0.1:6390')
    .option('--queue <name>', 'queue name', DEFAULT_QUEUE)
    .option('--concurrency <n>', 'cells at a time', '1')
    .option('--gpus <ids>', 'GPU ids handed to cells in turn, e.g. 0,1')
    .option('--lock-ms <ms>', "lock duration: how soon a killed worker's cell is taken over", '30000')
    .action(
      async (o: { redis: string; queue: string; concurrency: string; gpus?: string; lockMs: string }, cmd: Command) => {
        const backend = (cmd.optsWithGlobals() as { backend?: string }).backend;
        const log = (l: string) => process.stdout.write(`[worker ${process.pid}] ${l}\n`);
        const { close } = startWorker({
          redis: o.redis,
          queue: o.queue,
          command: cellCommand(backend),
          concurrency: positiveInt('concurrency', o.concurrency),
          lockMs: positiveInt('lock-ms', o.lockMs),
          ...(o.gpus ? { gpus: listOption(o.gpus) } : {}),
          log,
        });
        log(`serving queue '${o.queue}' on ${o.redis}`);
        await new Promise<void>((done) => {
          const stop = () => {
            log('stopping');
            close().then(done, done);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );
}
