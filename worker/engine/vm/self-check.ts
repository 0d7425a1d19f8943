// Reads a finished VM folder back as VMware would and checks that the .vmx and the disk's
// descriptor agree (docs/vmx.md#controllers: a descriptor saying one adapter and a .vmx another).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { adapterForController } from '../../../shared/options';
import { FerryError } from '../errors';
import { openVmdk } from '../sources/vmdk/vmdk';
import type { VmHardware } from '../machine/hardware';
import { cdromSlot, diskSlot, diskSlots } from './vmx-config';
import { parseVmx } from './vmx';

export interface VmExpectation {
  hardware: VmHardware;
  vmxFile: string;
  diskFile: string;
  sizeBytes: number;
  /** Further disks, in their slots' order after the boot disk. */
  extraDisks?: ReadonlyArray<{ diskFile: string; sizeBytes: number }>;
}

export async function selfCheckVmFolder(dir: string, want: VmExpectation): Promise<void> {
  const problems: string[] = [];
  const text = await readFile(join(dir, want.vmxFile), 'utf8');
  const vmx = parseVmx(text);
  if (typeof vmx === 'string') throw bug(`the .vmx does not parse (${vmx})`);
  if (!text.startsWith('.encoding = "UTF-8"\n')) problems.push('.encoding is not the first line');
  const hw = want.hardware;
  const { bus } = diskSlot(hw.controller);
  const expect = (key: string, value: string) => {
    const got = vmx.get(key.toLowerCase());
    if (got !== value) problems.push(`${key} is ${got === undefined ? 'missing' : `"${got}"`}, expected "${value}"`);
  };
  expect('virtualHW.version', String(hw.hwVersion));
  expect('firmware', hw.firmware);
  expect('guestOS', hw.guestOS);
  if (bus === 'scsi0') expect('scsi0.virtualDev', hw.controller);
  const disksWanted = 1 + (want.extraDisks?.length ?? 0);
  const cd = cdromSlot(hw.controller, disksWanted, hw.hwVersion);
  if (cd) expect(`${cd.slot}.deviceType`, 'cdrom-raw');
  expect('numvcpus', String(hw.cpus));
  expect('memsize', String(hw.memoryMB));
  const disks = [{ diskFile: want.diskFile, sizeBytes: want.sizeBytes }, ...(want.extraDisks ?? [])];
  const slots = diskSlots(hw.controller);
  for (const [i, disk] of disks.entries()) {
    const slot = slots[i]!;
    expect(`${slot}.present`, 'TRUE');
    expect(`${slot}.fileName`, disk.diskFile);
    // Ours to open wherever it points: a zero-copy disk names its source outside the folder.
    const { source, descriptor } = await openVmdk(join(dir, disk.diskFile), { extents: { kind: 'anywhere' } });
    try {
      if (source.size !== disk.sizeBytes) problems.push(`the disk ${disk.diskFile} is ${source.size} bytes, expected ${disk.sizeBytes}`);
    } finally {
      await source.close();
    }
    const adapter = descriptor.ddb.get('ddb.adaptertype');
    if (adapter !== adapterForController(hw.controller)) problems.push(`ddb.adapterType of ${disk.diskFile} is "${adapter}" but the .vmx attaches the disk to ${hw.controller}`);
    const ddbHw = descriptor.ddb.get('ddb.virtualhwversion');
    if (ddbHw !== String(hw.hwVersion)) problems.push(`ddb.virtualHWVersion of ${disk.diskFile} is "${ddbHw}" but virtualHW.version is ${hw.hwVersion}`);
  }
  if (problems.length) throw bug(problems.join('; '));
}

function bug(what: string): FerryError {
  return new FerryError('E_INTERNAL', `Self-check of the new VM failed: ${what}.`, 'This is a bug in Ferry; please report it.');
}
