// The file type identifier and the two headers at the start of a VHDX (MS-VHDX §2.2.1, §2.2.2).
import { FerryError, corrupt } from '../../errors';
import { crc32cWithZeroedField } from '../../io/crc32c';
import { english, notice, type Notice } from '../../notices';

export const MiB = 1024 * 1024;
/** The header section: identifier, two headers, two region tables, reserved space. */
export const HEADER_SECTION_SIZE = MiB;
export const HEADER_SIZE = 4096;
export const HEADER_OFFSETS = [64 * 1024, 128 * 1024] as const;
export const CREATOR_OFFSET = 8;
export const CREATOR_SIZE = 512;

export interface VhdxHeader {
  /** 1 or 2: which copy this is. */
  copy: 1 | 2;
  sequenceNumber: bigint;
  fileWriteGuid: Buffer;
  /** A differencing child's `parent_linkage` names this value of its parent. */
  dataWriteGuid: Buffer;
  /** All zero when there is no log to replay. */
  logGuid: Buffer;
  logVersion: number;
  version: number;
  logLength: number;
  logOffset: bigint;
}

export type HeaderCheck = { ok: true; header: VhdxHeader } | { ok: false; reason: Notice };

export function parseVhdxHeader(buf: Buffer, copy: 1 | 2): HeaderCheck {
  if (buf.length < HEADER_SIZE) return { ok: false, reason: notice('vhdx-cut-short') };
  if (buf.toString('latin1', 0, 4) !== 'head') return { ok: false, reason: notice('vhdx-no-signature', { signature: 'head' }) };
  const stored = buf.readUInt32LE(4);
  const computed = crc32cWithZeroedField(buf.subarray(0, HEADER_SIZE), 4);
  if (stored !== computed) {
    return { ok: false, reason: notice('vhdx-bad-checksum', { stored: stored.toString(16), computed: computed.toString(16) }) };
  }
  return {
    ok: true,
    header: {
      copy,
      sequenceNumber: buf.readBigUInt64LE(8),
      fileWriteGuid: Buffer.from(buf.subarray(16, 32)),
      dataWriteGuid: Buffer.from(buf.subarray(32, 48)),
      logGuid: Buffer.from(buf.subarray(48, 64)),
      logVersion: buf.readUInt16LE(64),
      version: buf.readUInt16LE(66),
      logLength: buf.readUInt32LE(68),
      logOffset: buf.readBigUInt64LE(72),
    },
  };
}

/**
 * The current header (MS-VHDX §2.2.2): the only valid one, or the valid one with the higher
 * sequence number. Equal sequence numbers are ambiguous unless both copies are byte-identical
 * (Disk2vhd writes them so).
 */
export function chooseHeader(path: string, raw: [Buffer, Buffer], warnings: Notice[]): VhdxHeader {
  const checks = [parseVhdxHeader(raw[0], 1), parseVhdxHeader(raw[1], 2)] as const;
  const [a, b] = checks;
  let chosen: VhdxHeader;
  if (a.ok && b.ok) {
    if (a.header.sequenceNumber === b.header.sequenceNumber) {
      if (!raw[0].subarray(0, HEADER_SIZE).equals(raw[1].subarray(0, HEADER_SIZE))) {
        throw corrupt(
          path,
          `both VHDX headers (at offsets ${HEADER_OFFSETS[0]} and ${HEADER_OFFSETS[1]}) carry sequence number ${a.header.sequenceNumber} but differ, so neither is current.`,
        );
      }
      chosen = a.header;
    } else chosen = a.header.sequenceNumber > b.header.sequenceNumber ? a.header : b.header;
  } else if (a.ok || b.ok) {
    const good = a.ok ? a : (b as Extract<HeaderCheck, { ok: true }>);
    const bad = (a.ok ? b : a) as Extract<HeaderCheck, { ok: false }>;
    const badCopy = a.ok ? 2 : 1;
    warnings.push(notice('vhdx-header-damaged', { copy: badCopy, offset: HEADER_OFFSETS[badCopy - 1]!, reason: bad.reason, used: good.header.copy }));
    chosen = good.header;
  } else {
    const why = checks.map((c, i) => `header ${i + 1} at offset ${HEADER_OFFSETS[i]}: ${english((c as Extract<HeaderCheck, { ok: false }>).reason)}`);
    throw corrupt(path, `neither VHDX header is valid (${why.join('; ')}).`);
  }
  if (chosen.version !== 1) {
    throw new FerryError(
      'E_UNSUPPORTED',
      `${path}: VHDX header ${chosen.copy} states format version ${chosen.version}; only version 1 exists in the specification.`,
      'The file may come from a newer Hyper-V than Ferry knows, or be damaged.',
    );
  }
  return chosen;
}

/** The creator string of the file type identifier (diagnostic only; may be empty). */
export function parseCreator(identifier: Buffer): string {
  const raw = identifier.subarray(CREATOR_OFFSET, CREATOR_OFFSET + CREATOR_SIZE);
  const text = raw.toString('utf16le', 0, raw.length - (raw.length % 2));
  const nul = text.indexOf('\0');
  return (nul >= 0 ? text.slice(0, nul) : text).replace(/[\u0000-\u001f\u007f\ufffd]/g, '').trim();
}

