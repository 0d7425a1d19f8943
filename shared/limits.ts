// How long texts and lists that cross a boundary may be, held against what real tools write.

/**
 * Bounds held against what real tools write (each a count of UTF-16 code units, as JavaScript
 * measures strings). Where a value taken from a file can legitimately be longer, the engine cuts
 * it with `fitText` before it crosses a boundary, so a validator never refuses a real disk.
 */
export const LIMITS = {
  /** Windows' long-path maximum (32767 UTF-16 units, `\\?\` paths); Linux's PATH_MAX (4096 bytes) and macOS's (1024) are shorter. */
  path: 32_767,
  /** A VHDX creator: 256 UTF-16 characters in the file type identifier ("Microsoft Windows 10.0.18363.0"). A VHD's is 4 bytes. */
  creator: 256,
  /**
   * An error's message or hint. It names files (paths up to `path`) and values read from the disk
   * (a parent locator, up to 64 KiB): the engine cuts longer ones in the middle.
   */
  message: 64 * 1024,
  /** One warning: a path, a parent's path and a value read from the disk (each bounded above) fit. */
  warning: 256 * 1024,
  /** Warnings per disk: a few per layer of a chain of up to 256 disks. */
  warnings: 10_000,
  /**
   * An archive member's name: zip allows 65535 bytes, pax and GNU long names are unbounded; the
   * engine keeps the last `member` units (the base name and its extension) of a longer one.
   */
  member: 32_767,
  /** Files a job makes: a 64 TiB disk in 2047 MiB extents is 32769 files, with the VM's own beside it. */
  files: 100_000,
  /** A partition's file system and its label: btrfs labels are 256 bytes, NTFS 32 UTF-16 units, ext 16 bytes, FAT 11. */
  filesystem: 512,
  /** Files picked or dropped at once (a queue, one job each): far more than anyone watches convert. */
  sources: 1000,
  /** Disks of one machine: SATA's 30 slots on each of its 4 controllers, and a few to spare; the engine checks the controller's own count. */
  machineDisks: 128,
  /** Places a machine's missing disk was looked for (the engine tries at most six). */
  lookedFor: 16,
  /** Guest evidence: one line per partition type or labelled file system of up to 1024 GPT entries, each listing partition numbers. */
  evidenceItems: 4096,
  /**
   * How deep notices nest: a warning of a differencing disk's parent, on an extra disk of a VM,
   * whose reason is a notice of its own, is 4.
   */
  noticeDepth: 6,
} as const;

/**
 * `s` if it fits in `max` UTF-16 units; otherwise its head and tail around an ellipsis, `max`
 * units long (or its last `max - 1` units after the ellipsis with `keep: 'tail'`), a unit less
 * where the cut would split a surrogate pair.
 * Deterministic, so the CLI and the app show the same cut text.
 */
export function fitText(s: string, max: number, keep: 'middle' | 'tail' = 'middle'): string {
  if (s.length <= max) return s;
  // Never split a surrogate pair: a cut that lands inside one moves past it (one unit shorter).
  const tailFrom = (at: number) => (/[\udc00-\udfff]/.test(s[at] ?? '') ? at + 1 : at);
  if (keep === 'tail') return `…${s.slice(tailFrom(s.length - (max - 1)))}`;
  let head = Math.ceil((max - 1) / 2);
  if (/[\ud800-\udbff]/.test(s[head - 1] ?? '')) head -= 1;
  return `${s.slice(0, head)}…${s.slice(tailFrom(s.length - (max - 1 - Math.ceil((max - 1) / 2))))}`;
}
