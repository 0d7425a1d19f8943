// Which members of a zip or tar archive are disks, and what to call the unpacked file.
import { basename } from 'node:path';

/** Names of disk images Ferry reads (raw ones are accepted by name, so the name matters). */
const DISK_EXT = /\.(vhd|vhdx|avhd|avhdx|vmdk|img|raw|bin|dd)$/i;
/** Compression suffixes; a member named `x.vhd.gz` is a disk inside one more layer. */
const PACKED_EXT = /\.(gz|gzip|bz2|bzip2|xz|zip|tar|tgz|tbz|tbz2|txz)$/i;
/** Suffixes that stand for `.tar.<x>`. */
const TAR_SHORT = /\.(tgz|tbz|tbz2|txz)$/i;

/** macOS resource forks and Finder metadata that zip tools add beside every file. */
export function isIgnoredMember(name: string): boolean {
  const base = name.split('/').pop() ?? name;
  return name.startsWith('__MACOSX/') || base.startsWith('._') || base === '.DS_Store';
}

/** A member that is (or may hold, after one more layer) a disk image. */
export function isDiskLikeName(name: string): boolean {
  if (isIgnoredMember(name)) return false;
  return DISK_EXT.test(name) || PACKED_EXT.test(name);
}

/** `disk.vhd.bz2` → `disk.vhd`; `image.tgz` → `image.tar`; `x.img` stays. */
export function stripCompressionSuffix(name: string): string {
  if (TAR_SHORT.test(name)) return name.replace(TAR_SHORT, '.tar');
  return name.replace(/\.(gz|gzip|bz2|bzip2|xz)$/i, '');
}

/**
 * The file name the unpacked disk gets in the scratch folder: the member's own base name (a
 * monolithic VMDK's embedded descriptor names its own file, so the name must survive), made
 * safe for every file system.
 */
export function scratchFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/'));
  const safe = base.replace(/[<>:"/\\|?*\u0000-\u001f\u007f]/g, '_').replace(/^[\s.]+/, '').slice(-120);
  return safe === '' ? 'disk' : safe;
}

/** A member name is shown at most this long in a message (the extension survives the cut). */
const SHOWN_NAME_CHARS = 80;
/** How many names a message lists before "and N more". */
const SHOWN_NAMES = 5;

/** `name` cut to a length a message can carry: its start, an ellipsis, and its file name (or its end). */
export function shortName(name: string): string {
  if (name.length <= SHOWN_NAME_CHARS) return name;
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base.length <= SHOWN_NAME_CHARS - 20) return `${name.slice(0, SHOWN_NAME_CHARS - base.length - 2)}…/${base}`;
  return `${name.slice(0, SHOWN_NAME_CHARS - 31)}…${name.slice(-30)}`;
}

/**
 * The names of members of one kind, as a message lists them: how many there were and the first
 * few, cut short. An archive may hold millions of members with long names; only this much is kept.
 */
export class NameSample {
  count = 0;
  private readonly first: string[] = [];

  add(name: string): void {
    this.count++;
    if (this.first.length < SHOWN_NAMES) this.first.push(shortName(name));
  }

  /** `a.vhd, b.vhd and 3 more` */
  toString(): string {
    const shown = this.first.join(', ');
    return this.count > this.first.length ? `${shown} and ${this.count - this.first.length} more` : shown;
  }
}
