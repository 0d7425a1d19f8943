import { nativeAddon } from './native-addon';

const PAGE = 4096;

/**
 * A buffer of `bytes` whose memory starts on a page boundary, where the addon can tell where it
 * starts (else an ordinary one). Node's large buffers start 16 bytes into a page (malloc's
 * header), and the kernel's copy out of the page cache (`rep movsb`) runs 4–5× slower on AMD
 * Zen when the destination sits 1–31 bytes past the source modulo 4 KiB: every page-aligned
 * read into such a buffer took that path. The slack costs one page.
 */
export function pageAlignedBuffer(bytes: number): Buffer {
  const addon = nativeAddon()?.addon;
  if (!addon) return Buffer.allocUnsafeSlow(bytes);
  const raw = Buffer.allocUnsafeSlow(bytes + PAGE);
  const skip = (PAGE - addon.pageOffset(raw)) % PAGE;
  return raw.subarray(skip, skip + bytes);
}

/**
 * Buffers given back for the next read to take, instead of leaving them to the collector: a long
 * conversion then allocates its buffers once. Sizes are rounded up to `round`, so a buffer fits
 * the next request of about the same size; at most `max` are kept. Each starts on a page.
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
    return pageAlignedBuffer(Math.ceil(bytes / this.round) * this.round);
  }

  give(buffers: Buffer[]): void {
    for (const b of buffers) if (this.free.length < this.max) this.free.push(b);
  }
}
