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
