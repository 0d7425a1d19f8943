import type { Phase, Progress } from '../../shared/jobs';

export type ProgressListener = (p: Progress) => void;

/** What a running job is given: how to hear that it should stop, and where its progress goes. */
export interface RunContext {
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
}

/**
 * Turns raw byte positions into throttled progress events with a smoothed rate. The first and
 * the last event of a phase are always delivered.
 */
export class ProgressMeter {
  private lastEmit = 0;
  private lastDone = 0;
  private lastTime = 0;
  private rate = 0;
  private readonly start = performance.now();

  constructor(
    private readonly phase: Phase,
    private readonly total: number,
    private readonly listener: ProgressListener | undefined,
    private readonly intervalMs = 100,
  ) {
    this.lastTime = this.start;
    listener?.({ phase, done: 0, total, rate: 0 });
  }

  update(done: number): void {
    if (!this.listener) return;
    const now = performance.now();
    if (now - this.lastEmit < this.intervalMs) return;
    this.emit(done, now);
  }

  finish(): void {
    if (!this.listener) return;
    this.emit(this.total, performance.now());
  }

  private emit(done: number, now: number): void {
    const dt = (now - this.lastTime) / 1000;
    if (dt > 0) {
      const instant = (done - this.lastDone) / dt;
      // Exponential smoothing over roughly the last two seconds.
      const alpha = Math.min(1, dt / 2);
      this.rate = this.lastDone === 0 ? instant : this.rate + alpha * (instant - this.rate);
    }
    this.lastDone = done;
    this.lastTime = now;
    this.lastEmit = now;
    this.listener!({ phase: this.phase, done, total: this.total, rate: Math.max(0, Math.round(this.rate)) });
  }

  get elapsedSeconds(): number {
    return (performance.now() - this.start) / 1000;
  }
}

/**
 * One machine's disks as one span per phase: disk `i`'s progress counts after the disks before
 * it, and `total` is all of them, so the bar of a machine with several disks never starts again
 * at 0 for the next disk. Every phase a disk goes through (converting, verifying) measures its
 * virtual size, so `sizes` are the offsets of both. A new disk's first event (rate 0) keeps the
 * rate the previous disk had reached.
 */
export class DiskSetProgress {
  private readonly offsets: number[];
  private readonly total: number;
  private lastRate = 0;

  constructor(
    sizes: readonly number[],
    private readonly listener: ProgressListener | undefined,
  ) {
    this.offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((n, s) => n + s, 0));
    this.total = sizes.reduce((n, s) => n + s, 0);
  }

  /** The context disk `i` is written and verified with. */
  forDisk(i: number, ctx: RunContext): RunContext {
    const listener = this.listener;
    if (!listener) return ctx;
    const offset = this.offsets[i] ?? 0;
    return {
      signal: ctx.signal,
      onProgress: (p) => {
        const rate = p.rate === 0 && p.done === 0 && offset > 0 ? this.lastRate : p.rate;
        this.lastRate = rate;
        listener({ phase: p.phase, done: Math.min(this.total, offset + p.done), total: this.total, rate });
      },
    };
  }
}
