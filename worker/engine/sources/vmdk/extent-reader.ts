// What the VMDK source reads each extent through, and the two extents that need no tables:
// FLAT (a byte range of a file) and ZERO.
import { corrupt } from '../../errors';
import type { ReadOnlyFile } from '../../io/read-only-file';

/** `below`: a grain a delta (snapshot) disk never wrote, read from its parent (sources/vmdk/delta-chain.ts). */
export type Range = { length: number; kind: 'data' | 'zero' | 'below' };

export interface ExtentReader {
  readonly bytes: number;
  ranges(offset: number, length: number): Promise<Range[]>;
  read(offset: number, length: number, into: Buffer): Promise<void>;
  /** Releases what the reader started (threads); its file is closed by the source. */
  release?(): Promise<void>;
}

export function pushRange(out: Range[], r: Range): void {
  const last = out[out.length - 1];
  if (last && last.kind === r.kind) last.length += r.length;
  else if (r.length > 0) out.push(r);
}

export class FlatExtent implements ExtentReader {
  constructor(
    private readonly file: ReadOnlyFile,
    private readonly base: number,
    readonly bytes: number,
  ) {
    if (base + bytes > file.size) {
      // A flat extent shorter than stated: VMware fails such a disk; we say exactly why.
      throw corrupt(file.path, `the flat extent should hold ${bytes} bytes from offset ${base} but the file has ${file.size} bytes.`);
    }
  }
  async ranges(_o: number, length: number): Promise<Range[]> {
    return [{ length, kind: 'data' }];
  }
  async read(offset: number, length: number, into: Buffer): Promise<void> {
    await this.file.readExact(this.base + offset, length, 'flat extent data', into);
  }
}

export class ZeroExtent implements ExtentReader {
  constructor(readonly bytes: number) {}
  async ranges(_o: number, length: number): Promise<Range[]> {
    return [{ length, kind: 'zero' }];
  }
  async read(_o: number, length: number, into: Buffer): Promise<void> {
    into.fill(0, 0, length);
  }
}
