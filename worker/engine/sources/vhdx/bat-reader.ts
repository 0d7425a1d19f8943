// The BAT of a VHDX as the reader uses it: a page at a time, and one checking pass over it all.
// docs/vhdx.md#bat.
import { corrupt } from '../../errors';
import { BITMAP_BLOCK_SIZE, ENTRY_SIZE, PayloadState, SB_BLOCK_PRESENT, bitmapEntryIndex, decodeBatEntry, payloadEntryIndex, type BatEntry, type BatGeometry } from '../../formats/vhdx/bat';
import { HEADER_SECTION_SIZE } from '../../formats/vhdx/headers';
import type { Region } from '../../formats/vhdx/region-table';
import type { VhdxFile } from './patched-file';

const PAGE_ENTRIES = 8192;
const PAGE_CACHE = 32;
const SCAN_ENTRIES = 128 * 1024;

function overlaps(a: number, aLen: number, b: Region): boolean {
  return a < b.offset + b.length && b.offset < a + aLen;
}

/**
 * The BAT, read a page at a time with a small cache: a 64 TiB disk of 1 MiB blocks has a 512 MiB
 * BAT, which must not be loaded whole.
 */
export class Bat {
  private readonly pages = new Map<number, Promise<Buffer>>();

  constructor(
    private readonly file: VhdxFile,
    private readonly region: Region,
    readonly geometry: BatGeometry,
  ) {}

  private page(n: number): Promise<Buffer> {
    let p = this.pages.get(n);
    if (p) {
      this.pages.delete(n);
      this.pages.set(n, p);
      return p;
    }
    const first = n * PAGE_ENTRIES;
    const count = Math.min(PAGE_ENTRIES, this.geometry.entryCount - first);
    p = this.file.readExact(this.region.offset + first * ENTRY_SIZE, count * ENTRY_SIZE, 'VHDX block allocation table');
    p.catch(() => this.pages.delete(n));
    if (this.pages.size >= PAGE_CACHE) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(n, p);
    return p;
  }

  async entry(index: number): Promise<BatEntry> {
    const page = await this.page(Math.floor(index / PAGE_ENTRIES));
    return decodeBatEntry(page, (index % PAGE_ENTRIES) * ENTRY_SIZE);
  }

  payload(block: number): Promise<BatEntry> {
    return this.entry(payloadEntryIndex(block, this.geometry.chunkRatio));
  }

  bitmap(chunk: number): Promise<BatEntry> {
    return this.entry(bitmapEntryIndex(chunk, this.geometry.chunkRatio));
  }
}

export interface BatScan {
  /** Bytes of the virtual disk held in this file (partially present blocks count whole). */
  allocatedBytes: number;
  partiallyPresentBlocks: number;
}

/**
 * Reads the whole BAT once, in bounded pieces, checking every entry that will be used: states
 * valid for the disk type, blocks inside the file and clear of the header section, BAT,
 * metadata region and log, and a sector bitmap for every chunk with partially present blocks.
 */
export async function scanBat(
  file: VhdxFile,
  bat: Region,
  geometry: BatGeometry,
  virtualSize: number,
  differencing: boolean,
  others: Region[],
): Promise<BatScan> {
  const { entryCount, chunkRatio, blockSize } = geometry;
  if (entryCount * ENTRY_SIZE > bat.length) {
    throw corrupt(file.path, `the BAT region (${bat.length} bytes) is too small for the ${entryCount} entries a ${virtualSize}-byte disk of ${blockSize}-byte blocks needs.`);
  }
  const avoid = [bat, ...others];
  let allocated = 0;
  let partial = 0;
  let chunkHasPartial = false;
  const place = (index: number, e: BatEntry, length: number, what: string) => {
    const entryAt = bat.offset + index * ENTRY_SIZE;
    if (e.fileOffset < HEADER_SECTION_SIZE || e.fileOffset + length > file.size) {
      const where =
        e.fileOffset < HEADER_SECTION_SIZE
          ? `inside the header section (the first ${HEADER_SECTION_SIZE} bytes)`
          : `so it would end at ${e.fileOffset + length}, past the end of the file (${file.size} bytes; the file may be truncated)`;
      throw corrupt(file.path, `BAT entry ${index} (at offset ${entryAt}) places ${what} (${length} bytes) at offset ${e.fileOffset}, ${where}.`);
    }
    for (const r of avoid) {
      if (overlaps(e.fileOffset, length, r)) throw corrupt(file.path, `BAT entry ${index} (at offset ${entryAt}) places ${what} at offset ${e.fileOffset}, inside the disk's own metadata.`);
    }
  };
  for (let first = 0; first < entryCount; first += SCAN_ENTRIES) {
    const count = Math.min(SCAN_ENTRIES, entryCount - first);
    const buf = await file.readExact(bat.offset + first * ENTRY_SIZE, count * ENTRY_SIZE, 'VHDX block allocation table');
    for (let i = 0; i < count; i++) {
      const index = first + i;
      const e = decodeBatEntry(buf, i * ENTRY_SIZE);
      const isBitmap = index % (chunkRatio + 1) === chunkRatio;
      if (isBitmap) {
        if (chunkHasPartial && e.state !== SB_BLOCK_PRESENT) {
          throw corrupt(file.path, `BAT entry ${index}: chunk ${Math.floor(index / (chunkRatio + 1))} has partially present blocks but no sector bitmap.`);
        }
        if (e.state === SB_BLOCK_PRESENT && chunkHasPartial) place(index, e, BITMAP_BLOCK_SIZE, 'a sector bitmap block');
        chunkHasPartial = false;
        continue;
      }
      const block = index - Math.floor(index / (chunkRatio + 1));
      if (block >= geometry.payloadBlocks) continue;
      const used = Math.min(blockSize, virtualSize - block * blockSize);
      if (e.state === PayloadState.FULLY_PRESENT) {
        place(index, e, used, `payload block ${block}`);
        allocated += used;
      } else if (e.state === PayloadState.PARTIALLY_PRESENT) {
        if (!differencing) throw corrupt(file.path, `BAT entry ${index}: payload block ${block} is "partially present", which only a differencing disk may use.`);
        place(index, e, used, `payload block ${block}`);
        allocated += used;
        partial++;
        chunkHasPartial = true;
      }
    }
  }
  return { allocatedBytes: allocated, partiallyPresentBlocks: partial };
}
