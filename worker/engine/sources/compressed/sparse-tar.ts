// GNU tar's sparse members (`tar -S`): the archive stores only the data segments of a file
// with holes, plus a map of where they go. Read as a plain member, the stored bytes are not the
// disk, so each layout is either expanded here or refused; never passed through as if whole.
//
// PAX layouts (`--format=posix -S`), named by GNU.sparse.major/minor in the pax header:
//   1.0  the data starts with the map as decimal lines (count, then offset/size pairs), padded
//        to 512 bytes, then the segments; GNU.sparse.realsize and GNU.sparse.name give the file.
//   0.1  the map is the pax record GNU.sparse.map ("offset,size,offset,size,…").
//   0.0  repeats GNU.sparse.offset/numbytes records, which a pax decoder keeps only once: refused.
// The old GNU layout (typeflag 'S', `--format=gnu|oldgnu -S`) keeps its map in the binary header,
// which the tar parser does not expose; such a member is refused with the way out.
import type { FileHandle } from 'node:fs/promises';
import { FerryError, cancelled } from '../../errors';
import { writeAll } from '../../io/write-all';
import { shortName } from './members';

/** 64 TiB, the largest disk any format here holds. */
const MAX_REAL_SIZE = 64 * 2 ** 40;
/** Far more segments than any disk image has, and still a bounded map in memory. */
const MAX_SEGMENTS = 1 << 20;
/** A map line is one decimal number: 20 digits is more than 2^64. */
const MAX_LINE = 21;

export interface SparseSegment {
  offset: number;
  length: number;
}

export interface SparseLayout {
  /** The file's name as archived (the member is named ./GNUSparseFile.<pid>/<name>). */
  name: string;
  realSize: number;
  /** Present for 0.1; for 1.0 it is read from the start of the data. */
  map?: SparseSegment[];
}

type Pax = Record<string, string> | undefined;

function sparseError(archive: string, member: string, what: string): FerryError {
  return new FerryError('E_CORRUPT', `${archive}: sparse tar member "${shortName(member)}": ${what}.`, 'The archive may be damaged; try extracting it with `tar -xSf` to see.');
}

function decimal(archive: string, member: string, text: string | undefined, what: string): number {
  if (text === undefined || !/^\d{1,20}$/.test(text)) throw sparseError(archive, member, `${what} is not a number (${JSON.stringify(text?.slice(0, 40))})`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw sparseError(archive, member, `${what} (${text}) is impossibly large`);
  return n;
}

/** Checks that segments are in order, do not overlap and lie within the file. */
function checkMap(archive: string, member: string, map: SparseSegment[], realSize: number): SparseSegment[] {
  let end = 0;
  for (const [i, s] of map.entries()) {
    if (s.offset < end || s.offset + s.length > realSize) {
      throw sparseError(archive, member, `segment ${i} (${s.length} bytes at ${s.offset}) overlaps another or lies past the file's ${realSize} bytes`);
    }
    end = s.offset + s.length;
  }
  return map;
}

/**
 * What kind of tar entry this is, for sparse purposes: undefined for an ordinary member; the
 * layout to expand; or an error for a sparse layout Ferry cannot read.
 */
export function sparseLayout(archive: string, header: { name: string; type: string | null; pax?: Pax }): SparseLayout | undefined {
  const pax = header.pax;
  const major = pax?.['GNU.sparse.major'];
  const minor = pax?.['GNU.sparse.minor'];
  const name = pax?.['GNU.sparse.name'] ?? header.name;
  if (major === '1' && minor === '0') {
    const realSize = decimal(archive, name, pax?.['GNU.sparse.realsize'], 'GNU.sparse.realsize');
    if (realSize > MAX_REAL_SIZE) throw sparseError(archive, name, `its size, ${realSize} bytes, is more than any disk holds`);
    return { name, realSize };
  }
  if (pax?.['GNU.sparse.map'] !== undefined) {
    const realSize = decimal(archive, name, pax['GNU.sparse.size'] ?? pax['GNU.sparse.realsize'], 'GNU.sparse.size');
    if (realSize > MAX_REAL_SIZE) throw sparseError(archive, name, `its size, ${realSize} bytes, is more than any disk holds`);
    const numbers = pax['GNU.sparse.map'] === '' ? [] : pax['GNU.sparse.map'].split(',');
    if (numbers.length % 2 !== 0 || numbers.length / 2 > MAX_SEGMENTS) throw sparseError(archive, name, 'GNU.sparse.map is not a list of offset,size pairs');
    const map: SparseSegment[] = [];
    for (let i = 0; i < numbers.length; i += 2) {
      map.push({ offset: decimal(archive, name, numbers[i], 'a map offset'), length: decimal(archive, name, numbers[i + 1], 'a map size') });
    }
    return { name, realSize, map: checkMap(archive, name, map, realSize) };
  }
  if (pax?.['GNU.sparse.numblocks'] !== undefined || pax?.['GNU.sparse.offset'] !== undefined || major !== undefined) {
    throw new FerryError(
      'E_UNSUPPORTED',
      `${archive}: "${shortName(name)}" is stored as a sparse member in GNU tar's ${major ? `${major}.${minor ?? '?'}` : '0.0'} layout, which Ferry cannot read.`,
      'Extract it with `tar -xSf` and open the disk, or repack it with `tar --format=posix -S` (layout 1.0).',
    );
  }
  if (header.type === null) {
    throw new FerryError(
      'E_UNSUPPORTED',
      `${archive}: "${shortName(header.name)}" is a tar entry of a kind Ferry cannot read — most likely a sparse file in the old GNU layout (\`tar --format=gnu -S\`, as Google Cloud images are packed).`,
      'Extract it with `tar -xSf` and open the disk, or repack it with `tar --format=posix -S`.',
    );
  }
  return undefined;
}

/**
 * Writes the member's segments at their offsets in `out` and sizes the file to the real size,
 * leaving holes as holes. `data` is the member's stored bytes; for layout 1.0 it starts with the map.
 */
export async function expandSparse(archive: string, layout: SparseLayout, data: AsyncIterable<Buffer>, out: FileHandle, signal?: AbortSignal): Promise<number> {
  const name = layout.name;
  let map = layout.map;
  let consumed = 0; // bytes of the member's data read so far
  let segment = 0;
  let into = 0; // bytes of the current segment written
  let written = 0;
  // Layout 1.0: the map as decimal lines, read before any segment.
  let line = '';
  const numbers: number[] = [];
  let wanted = -1; // how many numbers the map holds (1 + 2·count), once its first line is read
  let mapEnd = -1; // where the segments start: the map padded to 512 bytes

  const mapOf = (n: number[]): SparseSegment[] => {
    const segments: SparseSegment[] = [];
    for (let i = 1; i < n.length; i += 2) segments.push({ offset: n[i]!, length: n[i + 1]! });
    return checkMap(archive, name, segments, layout.realSize);
  };

  for await (const chunk of data) {
    if (signal?.aborted) throw cancelled();
    let at = 0;
    while (at < chunk.length) {
      if (map === undefined) {
        if (mapEnd < 0) {
          const byte = chunk[at++]!;
          consumed++;
          if (byte !== 0x0a) {
            if (line.length >= MAX_LINE) throw sparseError(archive, name, 'its map has a line that is not a number');
            line += String.fromCharCode(byte);
            continue;
          }
          numbers.push(decimal(archive, name, line, 'a map entry'));
          line = '';
          if (wanted < 0) {
            if (numbers[0]! > MAX_SEGMENTS) throw sparseError(archive, name, `its map claims ${numbers[0]} segments`);
            wanted = 1 + 2 * numbers[0]!;
          }
          if (numbers.length === wanted) mapEnd = Math.ceil(consumed / 512) * 512;
          continue;
        }
        const skip = Math.min(chunk.length - at, mapEnd - consumed);
        at += skip;
        consumed += skip;
        if (consumed === mapEnd) map = mapOf(numbers);
        continue;
      }
      while (segment < map.length && into === map[segment]!.length) {
        segment++;
        into = 0;
      }
      if (segment >= map.length) throw sparseError(archive, name, 'it holds more data than its map places');
      const s = map[segment]!;
      const n = Math.min(chunk.length - at, s.length - into);
      await writeAll(out, chunk.subarray(at, at + n), s.offset + into);
      at += n;
      into += n;
      written += n;
      consumed += n;
    }
  }
  // A map that ends exactly on a 512-byte boundary, with no data after it, is complete here.
  if (map === undefined && mapEnd >= 0 && consumed === mapEnd) map = mapOf(numbers);
  if (map === undefined) throw sparseError(archive, name, 'the member ends inside its map');
  const stored = map.reduce((sum, s) => sum + s.length, 0);
  if (written !== stored) throw sparseError(archive, name, `its map places ${stored} bytes but the member holds ${written}`);
  await out.truncate(layout.realSize);
  return layout.realSize;
}
