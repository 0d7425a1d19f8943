// A pull reader over a stream of chunks: take, skip and peek a few bytes at a time while the
// stream flows, so archive scanners hold only what they look at.

export class Pull {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  /** Bytes consumed so far. */
  position = 0;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  /** Makes at least `n` bytes available; false when the stream ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length) this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : Buffer.from(r.value);
    }
    return this.buf.length >= n;
  }

  async peek(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.buf.subarray(0, Math.min(n, this.buf.length));
  }

  /** Exactly `n` bytes, or undefined at the end of the stream. */
  async take(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.position += n;
    return out;
  }

  /** Skips `n` bytes; false when the stream ends first. */
  async skip(n: number): Promise<boolean> {
    while (n > 0) {
      if (this.buf.length === 0 && !(await this.fill(1))) return false;
      const k = Math.min(n, this.buf.length);
      this.buf = this.buf.subarray(k);
      this.position += k;
      n -= k;
    }
    return true;
  }

  /** Skips NUL bytes (padding between concatenated archives). */
  async skipZeros(): Promise<void> {
    while (await this.fill(1)) {
      let i = 0;
      while (i < this.buf.length && this.buf[i] === 0) i++;
      this.buf = this.buf.subarray(i);
      this.position += i;
      if (this.buf.length > 0) return;
    }
  }

  /** Everything not yet consumed, as chunks. */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.buf.length) yield this.buf;
    this.buf = Buffer.alloc(0);
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else yield r.value;
    }
  }
}
