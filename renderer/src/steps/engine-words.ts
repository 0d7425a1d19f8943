// What the engine says, in the user's language: its notices (warnings, the guest's evidence, why a
// size was chosen) by code from the catalogue's `engine` section, and partition type names by
// their type id. In English the catalogue holds the engine's own words, so the wizard shows
// exactly what the CLI prints.
import type { PartitionEntry } from '../../../shared/disk-info';
import type { AnyNotice, NoticeParam } from '../../../shared/notices';
import { i18n, t } from '../i18n';

/** The partition type's name by its MBR byte or GPT type GUID, else the engine's name. */
export function partitionTypeName(p: PartitionEntry): string {
  if (p.typeName === 'Unknown') return t('source.unknown');
  const key = `partitionType.${p.type.toLowerCase()}`;
  return i18n.exists(key) ? t(`partitionType.${p.type.toLowerCase()}`) : p.typeName;
}

/** A notice in the user's language; a nested notice (a reason, a "which partition") is said first. */
export function say(n: AnyNotice): string {
  const param = (p: NoticeParam): string | number => (typeof p === 'object' ? say(p) : p);
  const params = Object.fromEntries(Object.entries(n.params).map(([name, p]) => [name, param(p)]));
  return t(`engine.${n.code}`, params);
}
