// Reading a generated VM folder the way a test oracle should: our own small parsers (not the
// engine's), and qemu to boot the disk on the device the .vmx names.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** Parses .vmx text strictly: every non-empty line must be `key = "value"`; keys lower-cased. */
export function readVmx(path: string): Map<string, string> {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines[0] !== '.encoding = "UTF-8"') throw new Error(`${path}: first line is ${JSON.stringify(lines[0])}`);
  const out = new Map<string, string>();
  for (const [n, line] of lines.entries()) {
    if (line === '') continue;
    const m = /^([A-Za-z0-9_.:]+) = "([^"]*)"$/.exec(line);
    if (!m) throw new Error(`${path}:${n + 1}: not key = "value": ${line}`);
    const key = m[1]!.toLowerCase();
    if (out.has(key)) throw new Error(`${path}:${n + 1}: ${key} repeated`);
    out.set(key, m[2]!);
  }
  return out;
}

export interface VmxDisk {
  /** ide | lsilogic | lsisas1068 | pvscsi | sata | nvme */
  controller: string;
  slot: string;
  fileName: string;
}

/** Finds the one disk in a .vmx and the controller it hangs on. */
export function vmxDisk(vmx: Map<string, string>): VmxDisk {
  const disks: VmxDisk[] = [];
  for (const [key, value] of vmx) {
    const m = /^((ide|scsi|sata|nvme)\d+):(\d+)\.filename$/.exec(key);
    if (!m || vmx.get(`${m[1]}:${m[3]}.present`) !== 'TRUE') continue;
    // A CD/DVD drive (VMware Tools installs from it) is not a disk.
    if (vmx.get(`${m[1]}:${m[3]}.devicetype`)?.startsWith('cdrom')) continue;
    const bus = m[1]!;
    const kind = m[2]!;
    if (kind !== 'ide' && vmx.get(`${bus}.present`) !== 'TRUE') throw new Error(`${bus} has a disk but is not present`);
    const controller = kind === 'scsi' ? vmx.get(`${bus}.virtualdev`) ?? 'buslogic' : kind;
    disks.push({ controller, slot: `${bus}:${m[3]}`, fileName: value });
  }
  if (disks.length !== 1) throw new Error(`expected one disk in the .vmx, found ${disks.length}`);
  return disks[0]!;
}

/** A VMDK's descriptor text: the file itself, or the copy embedded in a sparse extent. */
export function readDescriptorText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(512);
    readSync(fd, head, 0, 512, 0);
    if (head.readUInt32LE(0) !== 0x564d444b) return readFileSync(path, 'utf8');
    const offset = Number(head.readBigUInt64LE(28)) * 512;
    const size = Number(head.readBigUInt64LE(36)) * 512;
    const buf = Buffer.alloc(size);
    readSync(fd, buf, 0, size, offset);
    const nul = buf.indexOf(0);
    return buf.toString('utf8', 0, nul === -1 ? size : nul);
  } finally {
    closeSync(fd);
  }
}

export interface DescriptorFacts {
  createType: string;
  ddb: Map<string, string>;
  extents: Array<{ sectors: number; type: string; file: string; offset?: number }>;
}

export function readDescriptor(path: string): DescriptorFacts {
  const text = readDescriptorText(path);
  const ddb = new Map<string, string>();
  const extents: DescriptorFacts['extents'] = [];
  let createType = '';
  for (const line of text.split('\n')) {
    const ext = /^RW (\d+) (SPARSE|FLAT) "([^"]+)"(?: (\d+))?$/.exec(line);
    if (ext) extents.push({ sectors: Number(ext[1]), type: ext[2]!, file: ext[3]!, ...(ext[4] ? { offset: Number(ext[4]) } : {}) });
    const kv = /^(ddb\.[A-Za-z.]+) = "(.*)"$/.exec(line);
    if (kv) ddb.set(kv[1]!, kv[2]!);
    const ct = /^createType="(.*)"$/.exec(line);
    if (ct) createType = ct[1]!;
  }
  return { createType, ddb, extents };
}

/** qemu devices SeaBIOS boots, per .vmx controller (the table). */
export function qemuDiskArgs(controller: string, image: string): string[] {
  const drive = `file=${image},format=vmdk,if=none,id=d0,snapshot=on`;
  switch (controller) {
    case 'ide':
      return ['-drive', `file=${image},format=vmdk,if=ide,index=0,snapshot=on`];
    case 'lsilogic':
      return ['-device', 'lsi53c895a,id=hba', '-drive', drive, '-device', 'scsi-hd,drive=d0,bus=hba.0,bootindex=0'];
    case 'lsisas1068':
      return ['-device', 'mptsas1068,id=hba', '-drive', drive, '-device', 'scsi-hd,drive=d0,bus=hba.0,bootindex=0'];
    case 'pvscsi':
      return ['-device', 'pvscsi,id=hba', '-drive', drive, '-device', 'scsi-hd,drive=d0,bus=hba.0,bootindex=0'];
    case 'sata':
      return ['-device', 'ahci,id=ahci', '-drive', drive, '-device', 'ide-hd,drive=d0,bus=ahci.0,bootindex=0'];
    case 'nvme':
      return ['-drive', drive, '-device', 'nvme,serial=ferry0,drive=d0,bootindex=0'];
    default:
      throw new Error(`no qemu device for controller ${controller}`);
  }
}

export interface BootRun {
  sawMarker: boolean;
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

/** Boots `image` on the qemu device for `controller` under SeaBIOS and waits for `marker` on COM1. */
export function bootUnderQemu(controller: string, image: string, marker: string, timeoutMs = 60_000): Promise<BootRun> {
  const args = [
    '-accel', 'tcg',
    '-nographic',
    '-no-reboot',
    '-nodefaults',
    '-serial', 'stdio',
    '-m', '32',
    // A disk SeaBIOS cannot boot makes it "reboot" at once, which -no-reboot turns into an exit.
    '-boot', 'reboot-timeout=0',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
    ...qemuDiskArgs(controller, image),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('latin1').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('latin1').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ sawMarker: output.includes(marker), exitCode: code, output, timedOut });
    });
  });
}
