// Raw disk images (.img, .bin, .raw, .dd): the file is the disk, byte for byte.
//
// A raw image has no signature, so any file could be one. To keep "not a disk" errors for
// random files, a file with no other signature is taken as raw only when its name says so
// (.img, .raw, .dd, .bin) or when it starts with a partition table (a valid MBR or a GPT). A .bin
// without a partition table is converted with a warning: the name is also used for firmware
// blobs and CD images, while the .bin disks vendors ship (CoreOS's *_raw_image.bin) are partitioned.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { ReadOnlyFile } from '../../io/read-only-file';
import type { DiskSource, Run } from '../source';
import { notice, type Notice } from '../../notices';

const SECTOR = 512;
/** Names that make a signature-less file a raw disk by themselves. */
export const RAW_EXTENSIONS = ['.img', '.raw', '.dd', '.bin'] as const;

export type RawEvidence = 'name' | 'mbr' | 'gpt';

/** An MBR: the 0x55AA signature and four entries whose boot flags are 0x00 or 0x80, one of them used. */
function hasMbr(head: Buffer): boolean {
  if (head.length < SECTOR || head[510] !== 0x55 || head[511] !== 0xaa) return false;
  let used = 0;
  for (let i = 0; i < 4; i++) {
    const e = 446 + i * 16;
    const status = head[e]!;
    if (status !== 0x00 && status !== 0x80) return false;
    if (head[e + 4] !== 0) used++;
  }
  return used > 0;
}

/** Why `head` (the first 1024 bytes, or fewer) of a file named `name` may be read as a raw disk. */
export function rawEvidence(head: Buffer, name: string): RawEvidence | undefined {
  if (head.length >= 2 * SECTOR && head.toString('latin1', SECTOR, SECTOR + 8) === 'EFI PART') return 'gpt';
  if (hasMbr(head)) return 'mbr';
  if ((RAW_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())) return 'name';
  return undefined;
}

class RawSource implements DiskSource {
  constructor(
    private readonly file: ReadOnlyFile,
    readonly info: DiskSource['info'],
  ) {}

  get path(): string {
    return this.info.path;
  }

  get size(): number {
    return this.info.virtualSize;
  }

  /** One data extent: a plain file says nothing about holes; the pipeline skips zero grains as it reads. */
  async *runs(): AsyncIterable<Run> {
    if (this.size > 0) yield { offset: 0, length: this.size, kind: 'data' };
  }

  async read(offset: number, length: number, into: Buffer): Promise<void> {
    // The last sector may reach past the end of a file that is not whole sectors: that part is zero.
    const inFile = Math.max(0, Math.min(length, this.file.size - offset));
    if (inFile > 0) await this.file.readExact(offset, inFile, 'disk data', into);
    if (inFile < length) into.fill(0, inFile, length);
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

export async function openRaw(path: string): Promise<DiskSource> {
  const file = await ReadOnlyFile.open(path);
  try {
    const warnings: Notice[] = [];
    // As qemu-img does, a file that is not whole sectors becomes a disk one sector longer whose
    // last bytes read zero; say so, since such an image was often cut short.
    const size = Math.ceil(file.size / SECTOR) * SECTOR;
    if (size !== file.size) {
      warnings.push(notice('raw-partial-sector', { size: file.size, over: file.size % SECTOR, rounded: size }));
    }
    // Bytes actually stored: a sparse file's holes cost nothing; where the OS cannot say, the whole size.
    const st = await stat(path);
    const stored = Number.isFinite(st.blocks) && st.blocks >= 0 ? Math.min(file.size, st.blocks * 512) : file.size;
    return new RawSource(file, {
      path,
      fileSize: file.size,
      format: 'raw',
      variant: 'raw',
      virtualSize: size,
      allocatedBytes: stored,
      parents: [],
      warnings,
    });
  } catch (err) {
    await file.close();
    throw err;
  }
}
