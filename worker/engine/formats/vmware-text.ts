// VMware's text files (.vmx, .vmsd, VMDK descriptors) name their own character set: `.encoding`
// on the first line of a .vmx or .vmsd, `encoding=` in a descriptor. Workstation on a Chinese,
// Japanese or Russian Windows writes the host's code page ("GBK", "Shift_JIS", "windows-1251"); a
// name in it read as UTF-8 is garbled, and the disk it names is not found.
const ENCODING_LINE = /^\s*\.?encoding\s*=\s*"([^"]*)"/im;

/** The character set the file says it is in, if it says. */
export function vmwareTextEncoding(bytes: Buffer): string | undefined {
  return ENCODING_LINE.exec(bytes.toString('latin1', 0, Math.min(bytes.length, 4096)))?.[1]?.trim() || undefined;
}

/** The file's text in the character set it names (UTF-8 when it names none, or one not known here). */
export function decodeVmwareText(bytes: Buffer): string {
  const label = vmwareTextEncoding(bytes);
  if (label !== undefined && !/^utf-?8$/i.test(label)) {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // An unknown label: read as UTF-8, as before.
    }
  }
  return bytes.toString('utf8');
}
