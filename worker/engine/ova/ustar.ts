// The few tar records an OVA needs: POSIX ustar headers for flat file names, data padded to
// 512 bytes, two zero blocks, the whole padded to 10 KiB records as GNU tar does (an OVA is a
// tar archive, OVF 1.0 (DMTF DSP0243); VMware's mkova.sh makes it with GNU tar).

export const BLOCK = 512;
const RECORD = 20 * BLOCK;
/** 8 GiB − 1: the largest size eleven octal digits hold. */
const MAX_OCTAL_SIZE = 0o77777777777;

function writeOctal(buf: Buffer, at: number, width: number, value: number): void {
  // width − 1 digits, then NUL.
  buf.write(value.toString(8).padStart(width - 1, '0'), at, width - 1, 'latin1');
  buf[at + width - 1] = 0;
}

/** ustar magic and version (POSIX.1-1988): "ustar", NUL, "00". */
const POSIX_MAGIC = 'ustar\u000000';
/** GNU tar's magic and version: "ustar", two spaces, NUL — the form `tar --format=gnu` writes. */
const GNU_MAGIC = 'ustar  \u0000';

/**
 * The 512-byte header of a regular file. A size over 8 GiB − 1 does not fit eleven octal digits:
 * it is written as GNU tar does, base-256 (first byte 0x80, the value big-endian in the other
 * eleven) under the GNU magic. That is what GNU tar's default format, and so VMware's mkova.sh,
 * puts in an OVA with a large disk; GNU tar, bsdtar, Python and Go read it.
 */
export function ustarHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length === 0 || nameBytes.length > 100 || name.includes('/')) throw new Error(`tar member name "${name}" must be 1–100 bytes with no folder`);
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`tar member size ${size} is not a byte count`);
  const h = Buffer.alloc(BLOCK);
  nameBytes.copy(h, 0);
  writeOctal(h, 100, 8, 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  if (size <= MAX_OCTAL_SIZE) writeOctal(h, 124, 12, size);
  else {
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  writeOctal(h, 136, 12, Math.max(0, Math.floor(mtimeSeconds)));
  h.write('        ', 148, 8, 'latin1');
  h.write('0', 156, 1, 'latin1');
  h.write(size <= MAX_OCTAL_SIZE ? POSIX_MAGIC : GNU_MAGIC, 257, 8, 'latin1');
  writeOctal(h, 329, 8, 0);
  writeOctal(h, 337, 8, 0);
  let sum = 0;
  for (const b of h) sum += b;
  // Six octal digits, NUL, space: the form every tar writes.
  h.write(sum.toString(8).padStart(6, '0'), 148, 6, 'latin1');
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

/** Zero bytes that pad a member's data of `size` bytes to a whole block. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The end-of-archive blocks for an archive that is `length` bytes so far. */
export function trailer(length: number): Buffer {
  const end = length + 2 * BLOCK;
  return Buffer.alloc(2 * BLOCK + ((RECORD - (end % RECORD)) % RECORD));
}
