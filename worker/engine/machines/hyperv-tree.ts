// The configuration tree Hyper-V keeps for a VM, in either of its two encodings: the XML of
// 2008–2012 R2 (`Virtual Machines/<GUID>.xml`) and the binary .vmcx of 2016 and later hold the
// same keys (docs/machines.md#hyper-v). Both are read into this neutral tree first.
import type { MachineDisk } from '../../../shared/disk-info';
import { wholeNumber, truthy, type ParsedMachine } from './described';
import { notice, type Notice } from '../notices';

export interface ConfigNode {
  /** The key, lower-cased (Hyper-V's own keys are lower-case; XML elements may not be). */
  key: string;
  value?: string;
  children: ConfigNode[];
}

/** The device types of the controllers that hold disks (the emulated IDE and synthetic SCSI VDEVs). */
const IDE_TYPE = '83f8638b-8dca-4152-9eda-2ca8b33039b4';
const SCSI_TYPE = 'd422512d-2bf2-4752-809d-7b82b5fcb1b4';
/** Far deeper than any configuration nests; a crafted file may nest without end. */
const MAX_DEPTH = 64;

function node(n: ConfigNode | undefined, path: readonly string[]): ConfigNode | undefined {
  let cur = n;
  for (const p of path) cur = cur?.children.find((c) => c.key === p);
  return cur;
}

function value(n: ConfigNode | undefined, path: readonly string[]): string | undefined {
  return node(n, path)?.value?.trim();
}

/** Every node anywhere below `n` whose key is `key`. */
function findAll(n: ConfigNode, key: string, out: ConfigNode[] = [], depth = 0): ConfigNode[] {
  if (depth > MAX_DEPTH) return out;
  for (const c of n.children) {
    if (c.key === key) out.push(c);
    findAll(c, key, out, depth + 1);
  }
  return out;
}

function guid(text: string | undefined): string | undefined {
  return text?.replace(/[{}]/g, '').toLowerCase();
}

/**
 * The device nodes of one type, in the manifest's order. Each device's settings sit under
 * `_<instance>_`, and `manifest/vdevNNN` pairs its `device` type with that `instance` (in either
 * case). A single emulated device (IDE) has its type as its instance; each synthetic SCSI
 * controller has an instance GUID of its own, so a node named by the type alone is only a fallback.
 */
function deviceNodes(root: ConfigNode, type: string): ConfigNode[] {
  const vdevs = (node(root, ['manifest'])?.children ?? [])
    .map((v) => ({ v, n: /^vdev(\d+)$/.exec(v.key) }))
    .filter((x): x is { v: ConfigNode; n: RegExpExecArray } => x.n !== null)
    .sort((a, b) => Number(a.n[1]) - Number(b.n[1]));
  const instances = vdevs.filter(({ v }) => guid(value(v, ['device'])) === type).map(({ v }) => guid(value(v, ['instance'])));
  const keys = new Set([...instances, type].filter((g) => g !== undefined && g !== '').map((g) => `_${g}_`));
  return [...keys].map((k) => node(root, [k])).filter((n): n is ConfigNode => n !== undefined);
}

/**
 * Disks of one kind of controller: `controllerN/driveM` with a `pathname` and a `type` of VHD.
 * Controllers are numbered across the devices in order (each SCSI device holds `controller0`).
 */
function devices(nodes: readonly ConfigNode[], bus: MachineDisk['bus']): MachineDisk[] {
  const out: MachineDisk[] = [];
  let base = 0;
  for (const device of nodes) {
    let next = base;
    for (const ctrl of device.children) {
      const c = /^controller(\d+)$/.exec(ctrl.key);
      if (!c) continue;
      const controller = base + Number(c[1]);
      next = Math.max(next, controller + 1);
      for (const drive of ctrl.children) {
        const d = /^drive(\d+)$/.exec(drive.key);
        if (!d) continue;
        const path = value(drive, ['pathname']);
        const type = (value(drive, ['type']) ?? 'VHD').toUpperCase();
        if (!path || (type !== 'VHD' && type !== 'VHDX' && type !== 'DISK')) continue;
        out.push({ bus, controller, unit: Number(d[1]), path });
      }
    }
    base = next;
  }
  return out.sort((a, b) => a.controller - b.controller || a.unit - b.unit);
}

/**
 * Network adapters: each is a device key of its own (or an instance below one), recognisable by
 * the switch port it connects to: synthetic and legacy adapters alike record `port_name` or
 * `switch_id`.
 */
function countNics(root: ConfigNode): number {
  const isNic = (n: ConfigNode) => n.children.some((c) => c.key === 'port_name' || c.key === 'switch_id' || c.key === 'altswitchname');
  let n = 0;
  for (const device of root.children) {
    if (!device.key.startsWith('_')) continue;
    if (isNic(device)) n++;
    else n += device.children.filter(isNic).length;
  }
  return n;
}

/** A host's `data.vmcx` (`ProgramData\\Microsoft\\Windows\\Hyper-V`) lists its machines' configurations. */
function hostList(root: ConfigNode): string {
  const vms = (node(root, ['virtualmachines'])?.children ?? []).map((c) => c.value).filter((v): v is string => !!v);
  const named = vms.length > 0 ? `; give one of the ${vms.length} it names instead: ${vms.slice(0, 4).join(', ')}${vms.length > 4 ? ', …' : ''}` : '';
  return `it is the Hyper-V host's list of its virtual machines (data.vmcx), not one machine's configuration${named}`;
}

export function describeHyperV(root: ConfigNode, kind: 'hyperv-xml' | 'hyperv-vmcx', fallbackName: string): ParsedMachine | string {
  if (root.key === 'configurations') return hostList(root);
  if (root.key !== 'configuration') return `its top key is "${root.key}", not "configuration"`;
  if (!node(root, ['properties']) && !node(root, ['settings'])) return 'it has neither "properties" nor "settings"';
  const name = value(root, ['properties', 'name']) || fallbackName;
  // `subtype` 1 marks a generation 2 machine; 2008–2012 (no subtype) made generation 1 only.
  const generation = wholeNumber(value(root, ['properties', 'subtype'])) === 1 ? 2 : 1;
  const memoryMB = wholeNumber(value(root, ['settings', 'memory', 'bank', 'size']));
  const cpus = wholeNumber(value(root, ['settings', 'processors', 'count']));
  const secure = findAll(root, 'secure_boot_enabled').map((n) => truthy(n.value)).find((v) => v !== undefined);
  const disks = [...devices(deviceNodes(root, IDE_TYPE), 'ide'), ...devices(deviceNodes(root, SCSI_TYPE), 'scsi')];
  // A generation 2 machine has no IDE: it boots from SCSI. Generation 1 boots from IDE.
  if (generation === 2) disks.sort((a, b) => (a.bus === b.bus ? 0 : a.bus === 'scsi' ? -1 : 1));
  const warnings: Notice[] = [];
  if (truthy(value(root, ['settings', 'memory', 'bank', 'dynamic_memory_enabled'])) === true) {
    warnings.push(notice('hyperv-dynamic-memory', { memory: memoryMB ?? '?' }));
  }
  return {
    kind,
    name,
    generation,
    firmware: generation === 2 ? 'efi' : 'bios',
    ...(secure !== undefined && generation === 2 ? { secureBoot: secure } : {}),
    ...(memoryMB !== undefined ? { memoryMB } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    nics: countNics(root),
    disks,
    snapshots: [],
    warnings,
  };
}
