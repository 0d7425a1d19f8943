/**
 * The writes of the chunk given last, left running while the caller reads the next one: a
 * writer's `write` returns once the chunk before has been written, so the files' writes never
 * wait for the reads and the main thread's turn between chunks. At most one chunk's writes run.
 */
export class TrailingWrites {
  private last: Promise<void> | undefined;

  /** Waits for the writes of the previous push (raising their failure), then lets `writes` run. */
  async push(writes: Array<Promise<unknown>>): Promise<void> {
    const previous = this.last;
    const now = Promise.all(writes).then(() => undefined);
    now.catch(() => undefined); // Observed by the next push or settle; never an unhandled rejection.
    this.last = now;
    if (previous) await previous;
  }

  /** Waits for every write pushed, raising a failure. */
  async settle(): Promise<void> {
    const last = this.last;
    this.last = undefined;
    await last;
  }

  /** Waits until no write pushed is running, failed or not. */
  async quiesce(): Promise<void> {
    const last = this.last;
    this.last = undefined;
    await last?.catch(() => undefined);
  }
}
