// The inspection's own English words that the wizard can say in the user's language: partition
// type names by their type id, and the reason a VHD's size was read one way. Anything not known
// here is shown as the engine wrote it.
import type { DiskInfo, PartitionEntry, SizeCandidates } from '../../../shared/disk-info';
import { currentLanguage, i18n, t } from '../i18n';

/** The partition type's name by its MBR byte or GPT type GUID, else the engine's name. */
export function partitionTypeName(p: PartitionEntry): string {
  if (p.typeName === 'Unknown') return t('source.unknown');
  const key = `partitionType.${p.type.toLowerCase()}`;
  return i18n.exists(key) ? t(`partitionType.${p.type.toLowerCase()}`) : p.typeName;
}

const REASONS: readonly [RegExp, string][] = [
  [/^chosen by option$/, 'option'],
  [/^the geometry is at its maximum/, 'maxGeometry'],
  [/^the geometry is empty$/, 'emptyGeometry'],
  [/^(.+) sizes disks by their CHS geometry$/, 'chs'],
  [/^(.+) sizes disks by the current-size field$/, 'current'],
];

/** Why the header's or the geometry's size was taken; in English as the engine (and the CLI) says it. */
export function sizeReason(c: SizeCandidates, disk: DiskInfo): string {
  if (currentLanguage() === 'en') return c.reason;
  for (const [pattern, reason] of REASONS) {
    if (pattern.test(c.reason)) return t(`source.reason.${reason}`, { creator: disk.creator?.appName ?? disk.creator?.app ?? '' });
  }
  return c.reason;
}
