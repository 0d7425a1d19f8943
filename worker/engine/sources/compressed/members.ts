// Which members of a zip or tar archive are disks, and what to call the unpacked file.
import { basename } from 'node:path';
import { avoidDeviceName } from '../../../../shared/file-names';
import { DISK_EXTENSIONS, PACKED_EXTENSIONS } from '../../../../shared/source-names';

/** A member named `x.vhd.gz` is a disk inside one more layer; an .ova inside an archive is not a disk of its own. */
const endsIn = (name: string, list: readonly string[]): boolean => list.some((ext) => name.toLowerCase().endsWith(ext));

/** macOS resource forks and Finder metadata that zip tools add beside every file. */
export function isIgnoredMember(name: string): boolean {
  const base = name.split('/').pop() ?? name;
  return name.startsWith('__MACOSX/') || base.startsWith('._') || base === '.DS_Store';
}

/** A member that is (or may hold, after one more layer) a disk image. */
export function isDiskLikeName(name: string): boolean {
  if (isIgnoredMember(name)) return false;
  return endsIn(name, DISK_EXTENSIONS) || endsIn(name, PACKED_EXTENSIONS.filter((e) => e !== '.ova'));
}

/**
 * The file name the unpacked disk gets in the scratch folder: the member's own base name (a
 * monolithic VMDK's embedded descriptor names its own file, so the name must survive), made
 * safe for every file system (a Windows device name such as `CON.vhd` gets a `_`).
 */
export function scratchFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/'));
  const safe = base.replace(/[<>:"/\\|?*\u0000-\u001f\u007f]/g, '_').replace(/^[\s.]+/, '').slice(-120);
  return safe === '' ? 'disk' : avoidDeviceName(safe);
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
