// Words for the engine's vocabularies.
import type { ErrorCode } from '../../../shared/errors';
import type { Controller, Subformat } from '../../../shared/options';

export const SUBFORMAT_LABEL: Record<Subformat, string> = {
  monolithicSparse: 'Dynamic',
  monolithicFlat: 'Fixed',
  twoGbMaxExtentSparse: 'Split 2 GB, dynamic',
  twoGbMaxExtentFlat: 'Split 2 GB, fixed',
  streamOptimized: 'Stream-optimized',
};

/** The error screen's heading: what happened, in plain words. */
export const ERROR_TITLE: Record<ErrorCode, string> = {
  E_USAGE: 'Ferry could not use those settings',
  E_NOT_FOUND: 'The file or folder is not there any more',
  E_NOT_A_DISK: 'This is not a disk Ferry can read',
  E_UNSUPPORTED: 'Ferry cannot convert this disk yet',
  E_CORRUPT: 'The disk is damaged',
  E_PARENT_MISSING: 'Part of this disk is missing',
  E_PARENT_MISMATCH: 'This disk does not match its parent',
  E_PARENT_LOOP: 'This disk’s chain of parents loops back on itself',
  E_EXISTS: 'Something with that name is already there',
  E_NO_SPACE: 'There is not enough free space',
  E_PERMISSION: 'Ferry is not allowed to do that',
  E_IO: 'Reading or writing failed',
  E_VERIFY: 'The new disk did not match the original',
  E_CANCELLED: 'Cancelled',
  E_INTERNAL: 'Something went wrong inside Ferry',
};

/** Hints that read better in the app than the engine's command-line wording. */
export const APP_HINT: Partial<Record<ErrorCode, string>> = {
  E_EXISTS: 'Go back and choose another name or folder, or tick “Replace files of the same name” and confirm when Ferry asks.',
  E_NO_SPACE: 'Go back and choose a folder on a drive with more room, or free some space.',
};

export const CONTROLLER_LABEL: Record<Controller | 'auto', string> = {
  auto: 'Automatic — what the guest can boot from',
  ide: 'IDE',
  sata: 'SATA (AHCI)',
  lsilogic: 'LSI Logic parallel SCSI',
  lsisas1068: 'LSI Logic SAS',
  pvscsi: 'VMware Paravirtual SCSI',
  nvme: 'NVMe',
};
