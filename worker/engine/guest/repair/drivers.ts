// Which Windows storage driver serves each VMware controller (the service key names under
// HKLM\SYSTEM\CurrentControlSet\Services; VMware KB "Converting a virtual IDE disk to a virtual
// SCSI disk" and Microsoft's inbox driver list).
import type { Controller } from '../../../../shared/options';

/**
 * Drivers to enable for a controller; all that exist are enabled (IDE has three candidates).
 * AHCI is `storahci` from Windows 8 / Server 2012 on, `msahci` in Vista and 7 (Microsoft KB 922976),
 * as the SYSTEM hive of a real Windows 7 shows (no storahci key, msahci Start 3).
 */
export const WINDOWS_DRIVERS: Record<Controller, readonly string[]> = {
  ide: ['atapi', 'intelide', 'pciide'],
  sata: ['storahci', 'msahci'],
  lsilogic: ['lsi_scsi'],
  lsisas1068: ['lsi_sas'],
  nvme: ['stornvme'],
  pvscsi: ['pvscsi'],
};

/** Controllers whose driver is inbox in Windows 7 and later, to suggest instead (those whose driver the guest has). */
export const INBOX_CONTROLLERS: readonly Controller[] = ['sata', 'lsisas1068', 'ide'];
