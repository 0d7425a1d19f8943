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
