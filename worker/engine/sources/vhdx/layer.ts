import { pushSegment, type Layer, type Segment } from '../layers';
import { PayloadState, SB_BLOCK_PRESENT } from '../../formats/vhdx/bat';
import type { Bat } from './bat-reader';
import { corrupt } from '../../errors';
import type { VhdxFile } from './patched-file';

const BITMAP_CACHE_ENTRIES = 64;

/** True when sector `s` of a block's bitmap slice is in this file (LSB-first, MS-VHDX §2.4). */
function present(bm: Buffer, s: number): boolean {
  return ((bm[s >> 3]! >> (s & 7)) & 1) === 1;
}

/** One VHDX file of a chain: maps virtual ranges to its payload blocks, zeros, or its parent. */
export class VhdxLayer implements Layer {
  private readonly bitmaps = new Map<number, Promise<Buffer>>();
  private readonly sectorsPerBlock: number;

  constructor(
    private readonly file: VhdxFile,
    readonly size: number,
    private readonly bat: Bat,
    private readonly differencing: boolean,
  ) {
    this.sectorsPerBlock = bat.geometry.blockSize / bat.geometry.logicalSectorSize;
  }

  /** The part of its chunk's sector bitmap that covers payload block `block`. */
  private bitmap(block: number): Promise<Buffer> {
    let bm = this.bitmaps.get(block);
    if (bm) return bm;
    bm = (async () => {
      const { chunkRatio } = this.bat.geometry;
      const chunk = Math.floor(block / chunkRatio);
      const entry = await this.bat.bitmap(chunk);
      if (entry.state !== SB_BLOCK_PRESENT) throw corrupt(this.file.path, `payload block ${block} is partially present but chunk ${chunk} has no sector bitmap.`);
      const bytes = this.sectorsPerBlock / 8;
      const first = ((block % chunkRatio) * this.sectorsPerBlock) / 8;
      return this.file.readExact(entry.fileOffset + first, bytes, `sector bitmap of payload block ${block}`);
    })();
    bm.catch(() => this.bitmaps.delete(block));
    if (this.bitmaps.size >= BITMAP_CACHE_ENTRIES) this.bitmaps.delete(this.bitmaps.keys().next().value!);
    this.bitmaps.set(block, bm);
    return bm;
  }

  async map(offset: number, length: number): Promise<Segment[]> {
    const out: Segment[] = [];
    const { blockSize, logicalSectorSize: sector } = this.bat.geometry;
    const absent = this.differencing ? 'below' : 'zero';
    const end = offset + length;
    // A child larger than its parent: the parent reads as zeros past its own end.
    const mine = Math.min(end, Math.max(offset, this.size));
    let at = offset;
    while (at < mine) {
      const block = Math.floor(at / blockSize);
      const blockStart = block * blockSize;
      const stop = Math.min(mine, blockStart + blockSize);
      const entry = await this.bat.payload(block);
      switch (entry.state) {
        case PayloadState.FULLY_PRESENT:
          pushSegment(out, { kind: 'here', file: this.file, position: entry.fileOffset + (at - blockStart), length: stop - at });
          break;
        case PayloadState.PARTIALLY_PRESENT: {
          if (!this.differencing) throw corrupt(this.file.path, `payload block ${block} is partially present in a disk that is not differencing.`);
          const bm = await this.bitmap(block);
          let pos = at;
          while (pos < stop) {
            let s = Math.floor((pos - blockStart) / sector);
            const here = present(bm, s);
            s++;
            const last = Math.ceil((stop - blockStart) / sector);
            while (s < last) {
              // Whole bytes of the same state at once.
              if ((s & 7) === 0 && s + 8 <= last && bm[s >> 3] === (here ? 0xff : 0)) {
                s += 8;
                continue;
              }
              if (present(bm, s) !== here) break;
              s++;
            }
            const runEnd = Math.min(stop, blockStart + s * sector);
            if (here) pushSegment(out, { kind: 'here', file: this.file, position: entry.fileOffset + (pos - blockStart), length: runEnd - pos });
            else pushSegment(out, { kind: 'below', length: runEnd - pos });
            pos = runEnd;
          }
          break;
        }
        case PayloadState.NOT_PRESENT:
          pushSegment(out, { kind: absent, length: stop - at });
          break;
        default:
          // UNDEFINED, ZERO, UNMAPPED and the reserved 4 and 5 (5 was UNMAPPED in the 0.95 draft):
          // MS-VHDX §2.5.1.1 allows zeros for each in every disk type (and requires them for ZERO).
          pushSegment(out, { kind: 'zero', length: stop - at });
      }
      at = stop;
    }
    if (mine < end) pushSegment(out, { kind: 'zero', length: end - mine });
    return out;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
