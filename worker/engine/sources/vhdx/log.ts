// The VHDX log (MS-VHDX §2.3): finding the active sequence and replaying it into memory.
import { FerryError, corrupt } from '../../errors';
import type { ReadOnlyFile } from '../../io/read-only-file';
import { crc32c } from '../../io/crc32c';
import { isZeroGuid } from '../../formats/vhdx/guid';
import { HEADER_SECTION_SIZE, MiB, type VhdxHeader } from '../../formats/vhdx/headers';
import { LOG_SECTOR, LogOverlayBuilder, type LogOverlay } from './patched-file';

/** Hyper-V and qemu make 1 MiB logs; a far larger one is read whole, so it is capped. */
export const MAX_LOG_LENGTH = 64 * MiB;
/** Descriptors and data must not land in the file identifier or headers (never logged). */
const FIRST_LOGGABLE_OFFSET = 192 * 1024;
const ENTRY_HEADER_SIZE = 64;
const DESCRIPTOR_SIZE = 32;
const DESCRIPTORS_PER_SECTOR = LOG_SECTOR / DESCRIPTOR_SIZE;

export interface LogDescriptor {
  kind: 'zero' | 'data';
  fileOffset: number;
  /** Zero descriptors: bytes to zero. Data descriptors: 4096. */
  length: number;
  /** Data descriptors: the whole 4 KiB update (leading bytes + data sector + trailing bytes). */
  data?: Buffer;
}

export interface LogEntry {
  /** Offset of the entry in the log. */
  position: number;
  length: number;
  tail: number;
  sequenceNumber: bigint;
  flushedFileOffset: bigint;
  lastFileOffset: bigint;
  descriptors: LogDescriptor[];
}

/** Sectors needed for the 64-byte entry header and `count` descriptors (126 in the first, then 128 each). */
export function descriptorSectors(count: number): number {
  return Math.ceil((count + 2) / DESCRIPTORS_PER_SECTOR);
}

/**
 * Parses and checks one log entry starting at `position` in `log` (the whole log, a circular
 * buffer of 4 KiB sectors). Returns undefined for anything that is not a valid entry, with why.
 * `visit` is told of every sector examined, to bound the work over a whole search.
 */
export function parseLogEntry(
  log: Buffer,
  position: number,
  logGuid: Buffer,
  visit: (sectors: number) => void = () => undefined,
): { entry: LogEntry } | { reason: string } {
  const L = log.length;
  const sector = (i: number): Buffer => {
    const at = (position + i * LOG_SECTOR) % L;
    return log.subarray(at, at + LOG_SECTOR);
  };
  visit(1);
  const head = sector(0);
  if (head.toString('latin1', 0, 4) !== 'loge') return { reason: 'no "loge" signature' };
  const entryLength = head.readUInt32LE(8);
  const tail = head.readUInt32LE(12);
  const sequenceNumber = head.readBigUInt64LE(16);
  const count = head.readUInt32LE(24);
  if (entryLength === 0 || entryLength % LOG_SECTOR !== 0 || entryLength > L) return { reason: `entry length ${entryLength} is not a multiple of 4 KiB within the log` };
  if (tail % LOG_SECTOR !== 0 || tail >= L) return { reason: `tail ${tail} is not a 4 KiB position in the log` };
  if (sequenceNumber === 0n) return { reason: 'sequence number 0' };
  if (!head.subarray(32, 48).equals(logGuid)) return { reason: 'its LogGuid is not the header\'s' };
  const sectors = entryLength / LOG_SECTOR;
  const descSectors = descriptorSectors(count);
  if (descSectors > sectors) return { reason: `${count} descriptors do not fit in ${entryLength} bytes` };
  visit(descSectors - 1);

  const descriptors: LogDescriptor[] = [];
  let dataSectors = 0;
  for (let i = 0; i < count; i++) {
    const slot = i + 2;
    const d = sector(Math.floor(slot / DESCRIPTORS_PER_SECTOR)).subarray((slot % DESCRIPTORS_PER_SECTOR) * DESCRIPTOR_SIZE);
    const sig = d.toString('latin1', 0, 4);
    if (d.readBigUInt64LE(24) !== sequenceNumber) return { reason: `descriptor ${i} carries another sequence number` };
    const fileOffset = d.readBigUInt64LE(16);
    if (fileOffset % BigInt(LOG_SECTOR) !== 0n || fileOffset > BigInt(Number.MAX_SAFE_INTEGER)) return { reason: `descriptor ${i} has an invalid file offset ${fileOffset}` };
    if (sig === 'zero') {
      const zeroLength = d.readBigUInt64LE(8);
      if (zeroLength % BigInt(LOG_SECTOR) !== 0n || fileOffset + zeroLength > BigInt(Number.MAX_SAFE_INTEGER)) return { reason: `zero descriptor ${i} has an invalid length ${zeroLength}` };
      descriptors.push({ kind: 'zero', fileOffset: Number(fileOffset), length: Number(zeroLength) });
    } else if (sig === 'desc') {
      const index = descSectors + dataSectors++;
      if (index >= sectors) return { reason: 'more data descriptors than data sectors' };
      visit(1);
      const ds = sector(index);
      if (ds.toString('latin1', 0, 4) !== 'data') return { reason: `data sector ${dataSectors - 1} has no "data" signature` };
      const seq = (BigInt(ds.readUInt32LE(4)) << 32n) | BigInt(ds.readUInt32LE(LOG_SECTOR - 4));
      if (seq !== sequenceNumber) return { reason: `data sector ${dataSectors - 1} carries another sequence number` };
      const data = Buffer.allocUnsafe(LOG_SECTOR);
      d.copy(data, 0, 8, 16); // leading 8 bytes
      ds.copy(data, 8, 8, LOG_SECTOR - 4);
      d.copy(data, LOG_SECTOR - 4, 4, 8); // trailing 4 bytes
      descriptors.push({ kind: 'data', fileOffset: Number(fileOffset), length: LOG_SECTOR, data });
    } else return { reason: `descriptor ${i} has no "zero" or "desc" signature` };
  }

  visit(sectors - descSectors - dataSectors);
  let crc = crc32c(head.subarray(0, 4));
  crc = crc32c(new Uint8Array(4), crc);
  crc = crc32c(head.subarray(8), crc);
  for (let i = 1; i < sectors; i++) crc = crc32c(sector(i), crc);
  const stored = head.readUInt32LE(4);
  if (crc !== stored) return { reason: `bad checksum (stored 0x${stored.toString(16)}, computed 0x${crc.toString(16)})` };

  return {
    entry: {
      position,
      length: entryLength,
      tail,
      sequenceNumber,
      flushedFileOffset: head.readBigUInt64LE(48),
      lastFileOffset: head.readBigUInt64LE(56),
      descriptors,
    },
  };
}

/**
 * The active sequence (MS-VHDX §2.3.3): the newest run of valid entries with consecutive
 * sequence numbers whose head entry's tail lies within it, from that tail entry to the head.
 * Returns [] when no valid sequence exists; `sawEntries` says whether any entry carried the LogGuid.
 */
export function findActiveSequence(log: Buffer, logGuid: Buffer, path: string): { sequence: LogEntry[]; sawEntries: boolean } {
  const L = log.length;
  const cache = new Map<number, LogEntry | null>();
  // Every start position costs at most one look per sector of its entry; a legitimate log is
  // scanned about once, so a budget of a few passes stops a crafted one from going quadratic.
  let budget = 8 * (L / LOG_SECTOR) + 1024;
  const visit = (n: number) => {
    budget -= n;
    if (budget < 0) throw corrupt(path, 'the log is inconsistent (its entries overlap each other too much to search).');
  };
  let sawEntries = false;
  const entryAt = (pos: number): LogEntry | undefined => {
    const hit = cache.get(pos);
    if (hit !== undefined) return hit ?? undefined;
    const parsed = parseLogEntry(log, pos, logGuid, visit);
    if ('entry' in parsed) sawEntries = true;
    else if (log.toString('latin1', pos, pos + 4) === 'loge' && log.subarray(pos + 32, pos + 48).equals(logGuid)) sawEntries = true;
    const entry = 'entry' in parsed ? parsed.entry : undefined;
    cache.set(pos, entry ?? null);
    return entry;
  };

  let candidate: LogEntry[] = [];
  let tail = 0;
  for (;;) {
    const current: LogEntry[] = [];
    let head = tail;
    let span = 0;
    for (;;) {
      const e = entryAt(head);
      if (!e) break;
      const prev = current[current.length - 1];
      if (prev && e.sequenceNumber !== prev.sequenceNumber + 1n) break;
      if (span + e.length > L) break; // a sequence cannot hold more than the whole log
      current.push(e);
      span += e.length;
      head = (head + e.length) % L;
    }
    const last = current[current.length - 1];
    const from = last ? current.findIndex((e) => e.position === last.tail) : -1;
    const valid = last !== undefined && from >= 0;
    if (valid && (candidate.length === 0 || last.sequenceNumber > candidate[candidate.length - 1]!.sequenceNumber)) {
      candidate = current.slice(from);
    }
    const next = valid ? head : (tail + LOG_SECTOR) % L;
    if (next <= tail) break;
    tail = next;
  }
  return { sequence: candidate, sawEntries };
}

export interface LogReplay {
  overlay: LogOverlay;
  /** The size replay would extend the file to (the head entry's LastFileOffset). */
  minimumFileSize: number;
  entries: number;
  firstSequence: bigint;
  lastSequence: bigint;
}

/** Where the header says the log is; checked only when there is a log to replay. */
export function logLocation(header: VhdxHeader, file: ReadOnlyFile): { offset: number; length: number } {
  const { logOffset, logLength } = header;
  if (header.logVersion !== 0) {
    throw new FerryError('E_UNSUPPORTED', `${file.path}: the VHDX log has version ${header.logVersion}; only version 0 exists, so the log cannot be replayed.`);
  }
  if (logLength === 0 || logLength % MiB !== 0 || logOffset % BigInt(MiB) !== 0n || logOffset < BigInt(HEADER_SECTION_SIZE)) {
    throw corrupt(file.path, `the VHDX log (${logLength} bytes at offset ${logOffset}) is not a whole number of MiB at a MiB boundary after the header section.`);
  }
  if (logOffset + BigInt(logLength) > BigInt(file.size)) {
    throw corrupt(file.path, `the VHDX log (${logLength} bytes at offset ${logOffset}) extends beyond the end of the file (${file.size} bytes); the file is truncated.`);
  }
  return { offset: Number(logOffset), length: logLength };
}

/**
 * Replays a non-empty log into memory. Returns undefined when the header names no log, and a
 * replay of 0 entries when it names one that holds nothing. The file is never written: the
 * result is an overlay that every later read goes through.
 */
export async function replayLog(file: ReadOnlyFile, header: VhdxHeader): Promise<LogReplay | undefined> {
  if (isZeroGuid(header.logGuid)) return undefined;
  const { offset, length } = logLocation(header, file);
  if (length > MAX_LOG_LENGTH) {
    throw new FerryError(
      'E_UNSUPPORTED',
      `${file.path}: the VHDX log needs replaying but is ${length / MiB} MiB, more than the ${MAX_LOG_LENGTH / MiB} MiB Ferry replays.`,
      'Attach the disk once in Hyper-V (or run `qemu-img check -r all` on a copy) so the log is replayed, then convert it.',
    );
  }
  const log = await file.readExact(offset, length, 'VHDX log');
  const { sequence, sawEntries } = findActiveSequence(log, header.logGuid, file.path);
  if (sequence.length === 0) {
    // A LogGuid was set but nothing was logged under it: no update can be pending (qemu agrees).
    if (!sawEntries) return { overlay: new LogOverlayBuilder().build(), minimumFileSize: 0, entries: 0, firstSequence: 0n, lastSequence: 0n };
    throw corrupt(file.path, `the VHDX log (at offset ${offset}) holds entries but no valid, complete sequence of them; it cannot be replayed.`);
  }
  const head = sequence[sequence.length - 1]!;
  if (head.flushedFileOffset > BigInt(file.size)) {
    throw corrupt(
      file.path,
      `the VHDX log says the file was at least ${head.flushedFileOffset} bytes long, but it is ${file.size}; the file has been truncated.`,
    );
  }
  if (head.lastFileOffset > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(file.path, `the VHDX log's LastFileOffset (${head.lastFileOffset}) is impossibly large.`);
  const builder = new LogOverlayBuilder();
  for (const entry of sequence) {
    for (const d of entry.descriptors) {
      if (d.length > 0 && d.fileOffset < FIRST_LOGGABLE_OFFSET) {
        throw corrupt(file.path, `the VHDX log (entry ${entry.sequenceNumber}) writes to offset ${d.fileOffset}, inside the file identifier or headers, which are never logged.`);
      }
      if (d.kind === 'data') builder.writePage(d.fileOffset, d.data!);
      else builder.writeZeros(d.fileOffset, d.length);
    }
  }
  return {
    overlay: builder.build(),
    minimumFileSize: Number(head.lastFileOffset),
    entries: sequence.length,
    firstSequence: sequence[0]!.sequenceNumber,
    lastSequence: head.sequenceNumber,
  };
}
