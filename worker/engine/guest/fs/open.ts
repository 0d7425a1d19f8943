// Opens the file system of one partition (or of a whole disk without a partition table) for
// reading. XFS and btrfs are recognised and reported as not read.
import type { DiskSource } from '../../sources/source';
import { ExtDriver } from './ext/ext';
import { FatDriver } from './fat/fat';
import { GuestFs } from './guest-fs';
import { NtfsDriver } from './ntfs/ntfs';
import { GuestFsError, Volume } from './volume';

export interface PartitionSpan {
  startBytes: number;
  sizeBytes: number;
}

/** File-system types (as inspect names them) that are recognised but whose files are not read. */
export const NOT_READ = new Set(['xfs', 'btrfs', 'ReFS', 'BitLocker', 'LUKS', 'LVM2 PV', 'exFAT', 'squashfs']);

/** An NTFS partition, with its driver (for volume flags and record access) beside the paths. */
export async function openNtfs(source: DiskSource, part: PartitionSpan): Promise<{ fs: GuestFs; ntfs: NtfsDriver }> {
  const ntfs = await NtfsDriver.open(new Volume(source, part.startBytes, part.sizeBytes));
  return { fs: new GuestFs(ntfs), ntfs };
}

/** The reader for `type` (inspect's name for the file system), or a GuestFsError saying why not. */
export async function openGuestFs(source: DiskSource, part: PartitionSpan, type: string): Promise<GuestFs> {
  const volume = new Volume(source, part.startBytes, part.sizeBytes);
  if (type === 'NTFS') return new GuestFs(await NtfsDriver.open(volume));
  if (/^FAT/.test(type)) return new GuestFs(await FatDriver.open(volume));
  if (/^ext[234]$/.test(type)) return new GuestFs(await ExtDriver.open(volume));
  throw new GuestFsError(NOT_READ.has(type) ? `${type} is recognised but its files are not read` : `${type} is not a file system Ferry reads`);
}
