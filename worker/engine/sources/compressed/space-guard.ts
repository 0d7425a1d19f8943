// Keeps an unpack from filling its drive. A download can unpack to far more than it says (a
// decompression bomb) or than the drive holds, so free space is looked at while writing, not only
// up front, and the unpack stops while a reserve is still free: min(256 MiB, 2 % of the volume).
import { statfs } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { FerryError } from '../../errors';
import { formatBytesIec as formatBytes } from '../../../../shared/bytes';

const MiB = 1024 * 1024;
/** The most a volume keeps free for itself, whatever its size. */
const MAX_RESERVE = 256 * MiB;
const RESERVE_SHARE = 0.02;
/** The longest stretch written without a look at the free space. */
const MAX_BETWEEN_LOOKS = 64 * MiB;
/** Bytes already let through but perhaps still buffered on their way to the file (the sink's buffer and a chunk or two). */
const IN_FLIGHT = 8 * MiB;

export interface VolumeSpace {
  /** Bytes an unprivileged writer may still use. */
  free: number;
  /** The volume's size. */
  total: number;
}

/** Free and total bytes of the volume holding `dir`; undefined when the file system cannot say. */
export type SpaceProbe = (dir: string) => Promise<VolumeSpace | undefined>;

export const statfsProbe: SpaceProbe = async (dir) => {
  try {
    const s = await statfs(dir);
    return { free: Number(s.bavail) * Number(s.bsize), total: Number(s.blocks) * Number(s.bsize) };
  } catch {
    return undefined;
  }
};

/** What an unpack leaves free on a volume of `total` bytes. */
export function reserveFor(total: number): number {
  return Math.min(MAX_RESERVE, Math.floor(total * RESERVE_SHARE));
}

export class SpaceGuard {
  private written = 0;
  /** Bytes that may pass before the next look. */
  private allowance = 0;

  /**
   * @param folder the folder the user knows (shown in messages)
   * @param dir the folder written into (on the same volume)
   * @param label the download's name
   */
  constructor(
    private readonly folder: string,
    private readonly dir: string,
    private readonly label: string,
    private readonly probe: SpaceProbe = statfsProbe,
  ) {}

  /** Bytes let through so far. */
  get unpacked(): number {
    return this.written;
  }

  /** Before writing: refuses at once when `needed` bytes would not fit above the reserve. */
  async expect(needed: number): Promise<void> {
    const space = await this.probe(this.dir);
    if (!space) return;
    const reserve = reserveFor(space.total);
    if (space.free < needed + reserve) {
      throw new FerryError(
        'E_NO_SPACE',
        `${this.folder}: not enough free space to unpack ${this.label}: the disk inside needs at least ${formatBytes(needed)}, and ${formatBytes(reserve)} more are kept free on that drive, but only ${formatBytes(space.free)} is free.`,
        'Free some space or choose a destination on another drive (the disk is unpacked beside the output).',
      );
    }
  }

  /** Lets `n` more bytes be written, or throws E_NO_SPACE if they would eat into the reserve. */
  async admit(n: number): Promise<void> {
    if (n <= this.allowance) {
      this.allowance -= n;
      this.written += n;
      return;
    }
    const space = await this.probe(this.dir);
    if (!space) {
      this.allowance = Infinity; // the write itself will tell
    } else {
      const reserve = reserveFor(space.total);
      const headroom = space.free - reserve - IN_FLIGHT;
      if (n > headroom) throw this.stopped(space.free, reserve);
      // Half of what is left each time, so the looks come closer together as the drive fills.
      this.allowance = Math.min(MAX_BETWEEN_LOOKS, Math.floor((headroom - n) / 2));
    }
    this.written += n;
  }

  /** A pass-through stream that admits every chunk before passing it on. */
  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.admit(chunk.length).then(() => cb(null, chunk), cb);
      },
    });
  }

  /** The same for an async iterable of chunks. */
  async *pace(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      await this.admit(chunk.length);
      yield chunk;
    }
  }

  private stopped(free: number, reserve: number): FerryError {
    return new FerryError(
      'E_NO_SPACE',
      `${this.folder}: not enough free space to unpack ${this.label}: stopped after unpacking ${formatBytes(this.written)} (${this.written} bytes), with ${formatBytes(free)} still free, to keep ${formatBytes(reserve)} free on that drive.`,
      'Free some space or choose a destination on another drive (the disk is unpacked beside the output). A small download that unpacks to far more than its disk should hold may be damaged or built to fill the drive.',
    );
  }
}
