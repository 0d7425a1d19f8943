// Finds and reads a machine's configuration: a configuration file, or a folder holding one (a
// VMware VM folder, a Virtual PC folder, a Hyper-V export).
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { notice, type EngineMachineInfo } from '../notices';
import { FerryError, corrupt } from '../errors';
import { decodeVmwareText } from '../formats/vmware-text';
import { ReadOnlyFile } from '../io/read-only-file';
import type { ParsedMachine } from './described';
import { describeHyperV } from './hyperv-tree';
import { hyperVTreeFromXml } from './hyperv-xml';
import { parseVmc } from './vmc';
import { readVmcx, VmcxError } from './vmcx';
import { isEncryptedVmx, parseVmxMachine } from './vmx-machine';
import { decodeXmlBytes, parseXml } from './xml';
import { describeVmwareFolder } from './vmware-folder';
import { MACHINE_EXTENSIONS } from '../../../shared/source-names';

/** Extensions of the configuration files Ferry reads as machines. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
const EXPORT_VMS = 'Virtual Machines';
export const EXPORT_DISKS = 'Virtual Hard Disks';
const EXPORT_SNAPSHOTS = 'Snapshots';
const MAX_CHECKPOINTS = 200;

/** Whether `path` is read as a machine rather than a disk: a folder, or a configuration by its name. */
export async function isMachinePath(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (st?.isDirectory()) return true;
  return st?.isFile() === true && (MACHINE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

async function readConfig(path: string): Promise<Buffer> {
  const file = await ReadOnlyFile.open(path);
  try {
    if (file.size > MAX_CONFIG_BYTES) throw new FerryError('E_UNSUPPORTED', `${path}: ${file.size} bytes is far larger than any machine configuration.`, 'Is this the right file?');
    return await file.readExact(0, file.size, 'configuration');
  } finally {
    await file.close();
  }
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** The Hyper-V export a configuration path lies in (the folder holding `Virtual Machines/`), if any. */
async function exportRootOf(configPath: string): Promise<string | undefined> {
  const dir = dirname(configPath);
  if (basename(dir).toLowerCase() !== EXPORT_VMS.toLowerCase()) return undefined;
  return dirname(dir);
}

/** The one configuration in a folder; a folder with none is not a machine, with several is ambiguous. */
async function configInFolder(dir: string): Promise<string> {
  const names = await entries(dir);
  const vms = names.find((n) => n.toLowerCase() === EXPORT_VMS.toLowerCase());
  if (vms) {
    const inside = (await entries(join(dir, vms))).filter((n) => /\.(vmcx|xml)$/i.test(n));
    const vmcx = inside.filter((n) => /\.vmcx$/i.test(n));
    const pick = vmcx.length > 0 ? vmcx : inside;
    if (pick.length === 1) return join(dir, vms, pick[0]!);
    if (pick.length > 1) throw ambiguous(dir, pick.map((n) => join(vms, n)));
    const exp = (await entries(join(dir, vms))).filter((n) => /\.exp$/i.test(n));
    if (exp.length > 0) throw oldExport(join(dir, vms, exp[0]!));
  }
  for (const ext of ['.vmx', '.vmc']) {
    const found = names.filter((n) => n.toLowerCase().endsWith(ext));
    if (found.length === 1) return join(dir, found[0]!);
    if (found.length > 1) throw ambiguous(dir, found);
  }
  throw new FerryError('E_NOT_A_DISK', `${dir}: is a folder, not a disk image, and holds no machine (no .vmx, .vmc, or Hyper-V export with a "${EXPORT_VMS}" folder).`, 'Give a disk image, a machine configuration, or the folder of one machine.');
}

function ambiguous(dir: string, names: string[]): FerryError {
  return new FerryError('E_UNSUPPORTED', `${dir}: holds ${names.length} machine configurations (${names.join(', ')}); which one is meant?`, 'Give the configuration file itself.');
}

function oldExport(path: string): FerryError {
  return new FerryError(
    'E_UNSUPPORTED',
    `${path}: a Hyper-V 2008 R2 export (.exp) is not read.`,
    'Import it into Hyper-V and export it again from Windows Server 2012 R2 or later, or convert its disks from "Virtual Hard Disks" directly.',
  );
}

function parse(path: string, bytes: Buffer): ParsedMachine {
  const ext = extname(path).toLowerCase();
  const fileName = basename(path);
  const fail = (why: string) => corrupt(path, `the configuration cannot be read: ${why}.`);
  if (ext === '.vmcx') {
    try {
      const { root, warnings } = readVmcx(bytes);
      const m = describeHyperV(root, 'hyperv-vmcx', fileName.replace(/\.vmcx$/i, ''));
      if (typeof m === 'string') throw unreadableVmcx(path, m);
      m.warnings.unshift(...warnings);
      return m;
    } catch (err) {
      if (err instanceof VmcxError) throw unreadableVmcx(path, err.message);
      throw err;
    }
  }
  if (ext === '.vmx') {
    const text = decodeVmwareText(bytes);
    if (isEncryptedVmx(text)) {
      throw new FerryError(
        'E_UNSUPPORTED',
        `${path}: the VM is encrypted by VMware Workstation; its settings and disks cannot be read without its password.`,
        'In Workstation, remove the encryption (VM > Settings > Options > Access Control > Remove Encryption), then give Ferry the VM again.',
      );
    }
    const m = parseVmxMachine(text, fileName);
    if (typeof m === 'string') throw fail(m);
    return m;
  }
  const root = parseXml(decodeXmlBytes(bytes));
  if (typeof root === 'string') throw fail(root);
  const m = root.name.toLowerCase() === 'preferences' ? parseVmc(root, fileName) : describeHyperV(hyperVTreeFromXml(root), 'hyperv-xml', fileName.replace(/\.xml$/i, ''));
  if (typeof m === 'string') {
    throw new FerryError('E_UNSUPPORTED', `${path}: not a machine configuration Ferry knows (${m}).`, 'Ferry reads Virtual PC .vmc, Hyper-V .xml and .vmcx, and VMware .vmx configurations.');
  }
  return m;
}

function unreadableVmcx(path: string, why: string): FerryError {
  return new FerryError(
    'E_UNSUPPORTED',
    `${path}: this Hyper-V .vmcx cannot be read (${why}).`,
    'In Hyper-V Manager, export the VM and give Ferry the export folder, or convert its disks (.vhdx) directly.',
  );
}

/** Reads the machine at `path` (a configuration or a folder of one); disks are not looked for yet. */
export async function loadMachine(given: string): Promise<EngineMachineInfo> {
  const path = resolve(given);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new FerryError('E_NOT_FOUND', `${path}: no such file or folder.`);
  const config = st.isDirectory() ? await configInFolder(path) : path;
  if (/\.exp$/i.test(config)) throw oldExport(config);
  const parsed = parse(config, await readConfig(config));
  const tree = (await exportRootOf(config)) ?? dirname(config);
  const machine: EngineMachineInfo = { ...parsed, config, tree };
  if (parsed.kind === 'vmx') await describeVmwareFolder(machine);
  else if (tree !== dirname(config)) await addCheckpoints(machine);
  return machine;
}

/**
 * A Hyper-V export's checkpoints: each is a configuration of its own in `Snapshots/`, named by
 * its GUID, its display name inside. How they nest is not read; the VM's own configuration names
 * the disks it runs on now (the newest .avhdx, read with its parents).
 */
async function addCheckpoints(machine: EngineMachineInfo): Promise<void> {
  const dir = join(machine.tree, EXPORT_SNAPSHOTS);
  const names = (await entries(dir)).filter((n) => /\.(xml|vmcx)$/i.test(n)).sort().slice(0, MAX_CHECKPOINTS);
  for (const n of names) {
    const path = join(dir, n);
    let name = `(checkpoint ${n})`;
    try {
      name = parse(path, await readConfig(path)).name;
    } catch {
      machine.warnings.push(notice('hyperv-checkpoint-unreadable', { file: join(EXPORT_SNAPSHOTS, n) }));
    }
    machine.snapshots.push({ id: n.replace(/\.(xml|vmcx)$/i, ''), name, file: join(EXPORT_SNAPSHOTS, n) });
  }
  if (machine.snapshots.length > 0) {
    machine.warnings.push(notice('hyperv-checkpoints', { checkpoints: machine.snapshots.length }));
  }
}
