// A Windows guest read from its own files: the SOFTWARE hive's CurrentVersion names the release.
import type { GuestFs } from '../fs/guest-fs';
import { Hive } from '../registry/regf';
import { readWindowsVersion } from '../registry/windows-keys';
import { windowsGuestId, type WindowsGuestId } from './ids';
import { notice, type Notice } from '../../notices';

export const SOFTWARE_HIVE = 'Windows/System32/config/SOFTWARE';
export const SYSTEM_HIVE = 'Windows/System32/config/SYSTEM';
/** Hives past this are not a Windows hive (SOFTWARE is tens of MiB at most). */
const MAX_HIVE = 1024 * 1024 * 1024;

export interface WindowsGuest extends WindowsGuestId {
  evidence: Notice[];
}

/** The Windows release on a file system that holds \Windows, or undefined when it has none. */
export async function readWindowsGuest(fs: GuestFs): Promise<WindowsGuest | undefined> {
  const file = await fs.openFile(SOFTWARE_HIVE, MAX_HIVE);
  if (!file) return undefined;
  const hive = await Hive.open(file);
  const version = await readWindowsVersion(hive);
  if (!version) return undefined;
  const id = windowsGuestId(version);
  const evidence = [id.why];
  if (hive.base.dirty) evidence.push(notice('windows-hive-dirty'));
  return { ...id, evidence };
}
