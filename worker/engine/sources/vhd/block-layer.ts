// The layers a VHD file gives its chain: a fixed disk's data in place, or a dynamic/differencing
// disk's blocks through its BAT (a differencing block says per sector, in its bitmap, what it holds).
import { UNALLOCATED } from '../../formats/vhd/bat';
import type { ReadOnlyFile } from '../../io/read-only-file';
import { pushSegment, type Layer, type Segment } from '../layers';

const SECTOR = 512;
/** Sector bitmaps kept in memory: enough for one extent window of 2 MiB blocks, bounded in bytes. */
const BITMAP_CACHE_BYTES = 4 * 1024 * 1024;

export class FixedLayer implements Layer {
  constructor(
    private readonly file: ReadOnlyFile,
    readonly size: number,
  ) {}
  async map(offset: number, length: number): Promise<Segment[]> {
    return [{ kind: 'here', file: this.file, position: offset, length }];
  }
  close(): Promise<void> {
    return this.file.close();
  }
}

/** A dynamic or differencing VHD: a BAT of blocks, each a sector bitmap then data. */
export class BlockLayer implements Layer {
  private readonly bitmaps = new Map<number, Buffer>();

  constructor(
    private readonly file: ReadOnlyFile,
    readonly size: number,
    private readonly bat: Uint32Array,
    private readonly blockSize: number,
    private readonly bitmapSize: number,
    private readonly differencing: boolean,
  ) {}

  private async bitmap(block: number): Promise<Buffer> {
    let bm = this.bitmaps.get(block);
    if (bm) return bm;
    bm = await this.file.readExact(this.bat[block]! * SECTOR, this.bitmapSize, `sector bitmap of block ${block}`);
    if ((this.bitmaps.size + 1) * this.bitmapSize > BITMAP_CACHE_BYTES) this.bitmaps.delete(this.bitmaps.keys().next().value!);
    this.bitmaps.set(block, bm);
    return bm;
  }

  async map(offset: number, length: number): Promise<Segment[]> {
    const out: Segment[] = [];
    const absent = this.differencing ? 'below' : 'zero';
    const end = offset + length;
    let at = offset;
    while (at < end) {
      const block = Math.floor(at / this.blockSize);
      const blockStart = block * this.blockSize;
      const stop = Math.min(end, blockStart + this.blockSize);
      const entry = this.bat[block]!;
      if (entry === UNALLOCATED) {
        pushSegment(out, { kind: absent, length: stop - at });
      } else {
        const dataPos = entry * SECTOR + this.bitmapSize - blockStart;
        if (!this.differencing) {
          // Dynamic disks: the bitmap is advisory (Windows and qemu ignore it); the data area is the truth.
          pushSegment(out, { kind: 'here', file: this.file, position: dataPos + at, length: stop - at });
        } else {
          const bm = await this.bitmap(block);
          let pos = at;
          while (pos < stop) {
            const sector = Math.floor((pos - blockStart) / SECTOR);
            const present = ((bm[sector >> 3]! >> (7 - (sector & 7))) & 1) === 1;
            let next = blockStart + (sector + 1) * SECTOR;
            // Extend over whole bitmap bytes of the same state at once.
            let s = sector + 1;
            while (next < stop) {
              if ((s & 7) === 0 && next + 8 * SECTOR <= stop && bm[s >> 3] === (present ? 0xff : 0)) {
                s += 8;
                next += 8 * SECTOR;
                continue;
              }
              if ((((bm[s >> 3]! >> (7 - (s & 7))) & 1) === 1) !== present) break;
              s++;
              next += SECTOR;
            }
            const runEnd = Math.min(next, stop);
            if (present) pushSegment(out, { kind: 'here', file: this.file, position: dataPos + pos, length: runEnd - pos });
            else pushSegment(out, { kind: 'below', length: runEnd - pos });
            pos = runEnd;
          }
        }
      }
      at = stop;
    }
    return out;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
