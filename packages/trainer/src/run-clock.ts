/** Seconds a run spent training, evaluating and in all, across sessions (a resume adds to the checkpoint's). */
export interface Durations {
  trainS: number;
  evalS: number;
  totalS: number;
}

/** The one clock of a run: time spent so far plus this session's, measured from the session's start. */
export class RunClock {
  private readonly start = performance.now();
  private prior: Durations = { trainS: 0, evalS: 0, totalS: 0 };
  private trainS = 0;
  private evalS = 0;

  /** Continue from the durations a checkpoint recorded. */
  resumeFrom(prior: Durations): void {
    this.prior = { ...prior };
  }

  async time<T>(kind: 'train' | 'eval', work: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await work();
    } finally {
      const s = (performance.now() - t) / 1000;
      if (kind === 'train') this.trainS += s;
      else this.evalS += s;
    }
  }

  durations(): Durations {
    return {
      trainS: this.prior.trainS + this.trainS,
      evalS: this.prior.evalS + this.evalS,
      totalS: this.prior.totalS + (performance.now() - this.start) / 1000,
    };
  }
}
