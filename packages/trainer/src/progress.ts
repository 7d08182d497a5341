import type { SelectionEntry } from '@wslbench/core';
import cliProgress from 'cli-progress';

export interface RunStartInfo {
  /** e.g. 'cam/vgg16 on glas f0 s0'. */
  run: string;
  /** The methods whose runs follow this training (one unless several share it). */
  methods: string[];
  epochs: number;
  /** First training epoch of this session (> 1 after a resume). */
  firstEpoch: number;
  stepsPerEpoch: number;
}

/** Where the trainer reports what it does. All methods are optional to call in any order after start. */
export interface ProgressSink {
  start(info: RunStartInfo): void;
  step(info: { epoch: number; step: number; loss: number }): void;
  /** One method's evaluation of an epoch (several per epoch when runs share a training). */
  evaluated(entry: SelectionEntry & { bestLocalization: boolean; method: string }): void;
  log(message: string): void;
  stop(): void;
}

/** Discards everything (tests, library use). */
export function silentProgress(): ProgressSink {
  return { start() {}, step() {}, evaluated() {}, log() {}, stop() {} };
}

const fmt = (x: number | null, digits = 2) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));

/** One line per epoch evaluation and per message: for logs and non-TTY stdout. */
export function plainProgress(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): ProgressSink {
  let info: RunStartInfo | undefined;
  return {
    start(i) {
      info = i;
      write(`[wslbench] ${i.run}: epochs ${i.firstEpoch}..${i.epochs}, ${i.stepsPerEpoch} steps/epoch`);
    },
    step() {},
    evaluated(e) {
      const mark = e.bestLocalization ? ' *best' : '';
      const who = info && info.methods.length > 1 ? `${e.method} ` : '';
      write(
        `[wslbench] ${who}epoch ${e.epoch}/${info?.epochs ?? '?'} loss ${fmt(e.trainLoss, 4)} lr ${e.lr ?? '-'} ` +
          `valpx PxAP ${fmt(e.pxap)} valcl acc ${fmt(e.clAccuracy)}${mark}`,
      );
    },
    log(m) {
      write(`[wslbench] ${m}`);
    },
    stop() {},
  };
}

/** A cli-progress bar over all remaining steps: epoch, step, loss, last few-shot PxAP, ETA. Messages print above it. */
export function barProgress(stream: NodeJS.WriteStream = process.stdout): ProgressSink {
  const multi = new cliProgress.MultiBar(
    {
      format: '{run} ep {epoch}/{epochs} |{bar}| step {step}/{steps} loss {loss} PxAP {pxap} ETA {eta_formatted}',
      stream,
      hideCursor: true,
      etaBuffer: 50,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let info: RunStartInfo | undefined;
  let bar: cliProgress.SingleBar | undefined;
  let pxap = '-';
  return {
    start(i) {
      info = i;
      const total = Math.max(1, (i.epochs - i.firstEpoch + 1) * i.stepsPerEpoch);
      bar = multi.create(total, 0, {
        run: i.run,
        epoch: i.firstEpoch,
        epochs: i.epochs,
        step: 0,
        steps: i.stepsPerEpoch,
        loss: '-',
        pxap,
      });
    },
    step(s) {
      if (!info || !bar) return;
      const done = (s.epoch - info.firstEpoch) * info.stepsPerEpoch + s.step;
      bar.update(done, { epoch: s.epoch, step: s.step, loss: fmt(s.loss, 4), pxap });
    },
    evaluated(e) {
      pxap = fmt(e.pxap);
      bar?.update({ pxap });
      if (e.bestLocalization)
        multi.log(`epoch ${e.epoch}: valpx PxAP ${pxap} (best so far), valcl acc ${fmt(e.clAccuracy)}\n`);
    },
    log(m) {
      multi.log(`${m}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}

/** The bar on a TTY, plain lines otherwise. */
export function defaultProgress(): ProgressSink {
  return process.stdout.isTTY ? barProgress() : plainProgress();
}
