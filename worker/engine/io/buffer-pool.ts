/**
 * Buffers given back for the next read to take, instead of leaving them to the collector: a long
 * conversion then allocates its buffers once. Sizes are rounded up to `round`, so a buffer fits
 * the next request of about the same size; at most `max` are kept.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    private readonly round: number,
    private readonly max: number,
  ) {}

  /** A buffer of at least `bytes`; give it back with `give` once nothing reads or writes it. */
  take(bytes: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= bytes);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    return Buffer.allocUnsafe(Math.ceil(bytes / this.round) * this.round);
  }

  give(buffers: Buffer[]): void {
    for (const b of buffers) if (this.free.length < this.max) this.free.push(b);
  }
}
