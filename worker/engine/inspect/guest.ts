// What operating system a disk holds and which firmware boots it, guessed from the partition
// table, partition types and names, and file-system signatures. Every conclusion carries the
// evidence for it, because the user may know better and override it (--guest, --firmware).
import { basename } from 'node:path';
import type { PartitionEntry, PartitionTable } from '../../../shared/disk-info';
import { LIMITS } from '../../../shared/limits';
import { readGuest, type ReadResult } from '../guest/detect';
import type { DiskSource } from '../sources/source';
import { describeFilesystem, readFilesystem, type FsSignature } from './filesystems';
import { partitionWarnings } from './partitions';
import { cutParams, english, notice, type EngineGuestGuess, type Notice } from '../notices';
import type { NoticeCode } from '../../../shared/notices';

const GPT = {
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  biosBoot: '21686148-6449-6e6f-744e-656564454649',
  msReserved: 'e3c9e316-0b5c-4db8-817d-f92df00215ae',
  winRecovery: 'de94bba4-06d1-4d40-a16a-bfd50179d6ac',
  ldmMetadata: '5808c8aa-7e8f-42e0-85d2-e1e90434cfb3',
  coreosUsr: '5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6',
  coreosResize: '3884dd41-8582-4404-b9a8-e9b84f2df50e',
  coreosRoot: 'be9067b9-ea49-4f15-b4f6-f36f8c9e1818',
} as const;

const LINUX_GPT_TYPES = new Set([
  '0fc63daf-8483-4772-8e79-3d69d8477de4',
  '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f',
  'e6d6d379-f507-44c2-a23c-238f2a3df928',
  'a19d880f-05fc-4d3b-a006-743f0f84911e',
  '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
  '44479540-f297-41b2-9af7-d131d5f0458a',
  'bc13c2ff-59e6-4262-a352-b275fd6f7172',
  '933ac7e1-2eb4-4f13-b844-0e14e2aef915',
]);
const LINUX_MBR_TYPES = new Set(['0x82', '0x83', '0x85', '0x8e', '0xfd']);
const WINDOWS_FILESYSTEMS = new Set(['NTFS', 'ReFS', 'BitLocker']);
const LINUX_FILESYSTEMS = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'swap', 'LVM2 PV', 'squashfs']);
/** GPT partition names of the Container Linux layout (CoreOS, Flatcar, Fedora CoreOS uses some). */
const COREOS_NAMES = new Set(['EFI-SYSTEM', 'BIOS-BOOT', 'USR-A', 'USR-B', 'OEM', 'OEM-CONFIG', 'ROOT']);

/** guestOS ids we choose from (docs/vmx.md#guest-ids). */
export const GUEST_IDS = {
  windows: 'windows9-64',
  linux: 'other5xlinux-64',
  ubuntu: 'ubuntu-64',
  coreos: 'coreos-64',
  other: 'other-64',
} as const;

export interface DiskFacts {
  table: PartitionTable | null;
  /** File systems found, by partition index. */
  filesystems: ReadonlyMap<number, FsSignature>;
  /** A file system found at offset 0 of a disk with no partition table. */
  wholeDisk?: FsSignature | undefined;
}

function list(parts: PartitionEntry[]): Notice {
  const n = parts.map((p) => p.index);
  return n.length === 1 ? notice('partition-one', { index: n[0]! }) : notice('partitions-many', { indexes: n.join(', ') });
}

/** "NTFS on partition 2; ext4 "root" on partitions 3, 4" for the partitions whose file system passes `keep`. */
function filesystemEvidence(facts: DiskFacts, keep: (fs: FsSignature) => boolean): Notice[] {
  const byFs = new Map<string, PartitionEntry[]>();
  for (const p of facts.table?.partitions ?? []) {
    const fs = facts.filesystems.get(p.index);
    if (!fs || !keep(fs)) continue;
    const key = describeFilesystem(fs);
    byFs.set(key, [...(byFs.get(key) ?? []), p]);
  }
  return [...byFs].map(([fs, parts]) => notice('fs-on', { fs, parts: list(parts) }));
}

function firmwareFor(facts: DiskFacts, evidence: Notice[]): 'bios' | 'efi' {
  const table = facts.table;
  if (!table) {
    evidence.push(notice('firmware-no-table'));
    return 'bios';
  }
  if (table.scheme === 'mbr') {
    evidence.push(notice('firmware-mbr'));
    return 'bios';
  }
  const esp = table.partitions.filter((p) => p.type === GPT.esp);
  const biosBoot = table.partitions.some((p) => p.type === GPT.biosBoot);
  if (esp.length === 0) {
    evidence.push(notice(biosBoot ? 'firmware-gpt-bios-boot' : 'firmware-gpt-no-esp'));
    return 'bios';
  }
  evidence.push(notice('firmware-gpt-esp', { parts: list(esp) }));
  if (biosBoot) evidence.push(notice('firmware-also-bios'));
  return 'efi';
}

/** The guest and firmware a disk's layout points to, with the reasons. Pure: no I/O. */
export function guessGuest(facts: DiskFacts): EngineGuestGuess {
  const parts = facts.table?.partitions ?? [];
  const fsOf = (p: PartitionEntry) => facts.filesystems.get(p.index);
  const evidence: Notice[] = [];
  let guestOS: string;
  let family: string;

  const coreosNamed = parts.filter((p) => p.name !== undefined && COREOS_NAMES.has(p.name.toUpperCase()));
  const coreosTyped = parts.filter((p) => p.type === GPT.coreosUsr || p.type === GPT.coreosResize || p.type === GPT.coreosRoot);
  const hasUsr = parts.some((p) => p.name?.toUpperCase() === 'USR-A') || coreosTyped.length > 0;
  const winFs = parts.filter((p) => WINDOWS_FILESYSTEMS.has(fsOf(p)?.type ?? ''));
  const winTyped = parts.filter((p) => p.type === GPT.msReserved || p.type === GPT.winRecovery || p.type === GPT.ldmMetadata || p.type === '0x27');
  const linuxFs = parts.filter((p) => LINUX_FILESYSTEMS.has(fsOf(p)?.type ?? ''));
  const linuxTyped = parts.filter((p) => LINUX_GPT_TYPES.has(p.type) || LINUX_MBR_TYPES.has(p.type));
  const wholeDisk = facts.wholeDisk;

  if (hasUsr && coreosNamed.length + coreosTyped.length >= 2) {
    guestOS = GUEST_IDS.coreos;
    family = 'Container Linux (CoreOS / Flatcar)';
    const names = coreosNamed.map((p) => p.name!);
    if (names.length) evidence.push(notice('coreos-named', { names: names.join(', ') }));
    if (coreosTyped.length) evidence.push(notice('coreos-typed', { parts: list(coreosTyped) }));
  } else if (winFs.length > 0 || winTyped.length > 0) {
    // Windows wins over Linux when both appear: the controller chosen for Windows also boots Linux.
    guestOS = GUEST_IDS.windows;
    family = 'Windows';
    evidence.push(...filesystemEvidence(facts, (fs) => WINDOWS_FILESYSTEMS.has(fs.type)));
    for (const p of winTyped) evidence.push(notice('windows-typed', { typeName: p.typeName, index: p.index }));
    evidence.push(notice('windows-version-unread', { guestOS: GUEST_IDS.windows }));
    if (linuxFs.length > 0) evidence.push(notice('linux-also', { parts: list(linuxFs) }));
  } else if (linuxFs.length > 0 || linuxTyped.length > 0 || (wholeDisk && LINUX_FILESYSTEMS.has(wholeDisk.type))) {
    const ubuntu = parts.some((p) => fsOf(p)?.label === 'cloudimg-rootfs') || wholeDisk?.label === 'cloudimg-rootfs';
    guestOS = ubuntu ? GUEST_IDS.ubuntu : GUEST_IDS.linux;
    family = ubuntu ? 'Linux (Ubuntu)' : 'Linux';
    evidence.push(...filesystemEvidence(facts, (fs) => LINUX_FILESYSTEMS.has(fs.type)));
    const typedOnly = linuxTyped.filter((p) => !linuxFs.includes(p));
    if (typedOnly.length) evidence.push(notice('linux-typed', { parts: list(typedOnly) }));
    if (wholeDisk) evidence.push(notice('fs-whole-disk', { fs: describeFilesystem(wholeDisk) }));
    if (ubuntu) evidence.push(notice('ubuntu-cloud-label'));
    else evidence.push(notice('linux-distro-unknown', { guestOS: GUEST_IDS.linux }));
  } else {
    guestOS = GUEST_IDS.other;
    family = 'Unknown';
    const found = filesystemEvidence(facts, () => true);
    if (wholeDisk) found.push(notice('fs-whole-disk', { fs: describeFilesystem(wholeDisk) }));
    evidence.push(found.length ? notice('no-os-found', { found: found.map(english).join('; ') }) : notice('no-os'));
  }
  const firmware = firmwareFor(facts, evidence);
  return { guestOS, family, firmware, evidence };
}

/** Clauses of the layout-only guess that reading the guest's files replaces. */
const UNREAD_CLAUSES: ReadonlySet<NoticeCode> = new Set(['windows-version-unread', 'linux-distro-unknown']);
const MAX_CLAUSE = 1000;

/**
 * The layout guess refined by what the guest's own files say (registry, os-release): the exact
 * guestOS id, the OS name and version, and the evidence for them. A CoreOS layout keeps its id.
 */
export function withGuestFiles(guess: EngineGuestGuess, read: ReadResult): EngineGuestGuess {
  const r = read.reading;
  if (!r) return read.notes.length ? { ...guess, evidence: [...guess.evidence, ...read.notes].slice(0, LIMITS.evidenceItems) } : guess;
  const coreos = guess.guestOS === GUEST_IDS.coreos;
  const os = { ...r.os, ...(r.drivers ? { drivers: r.drivers } : {}) };
  const family = coreos || guess.family.toLowerCase().startsWith(r.kind) ? guess.family : r.kind === 'windows' ? 'Windows' : 'Linux';
  const kept = guess.evidence.filter((e) => !UNREAD_CLAUSES.has(e.code));
  const evidence = [...r.evidence.map((e) => cutParams(e, MAX_CLAUSE)), ...kept].slice(0, LIMITS.evidenceItems);
  return { ...guess, guestOS: coreos ? guess.guestOS : r.guestOS, family, evidence, os };
}

// --- Platform-flavoured cloud images (a Xen or Azure build boots under VMware with the wrong agent) ---

/** OEM ids that are meant for VMware; anything else is another platform's build. */
const VMWARE_OEM_IDS = new Set(['vmware', 'vmware_raw', 'vmware_ova']);
const OEM_SCAN_BYTES = 32 * 1024 * 1024;
const OEM_CHUNK = 1024 * 1024;

/**
 * The platform a CoreOS/Flatcar OEM partition is set up for: its `grub.cfg` says
 * `set oem_id="xen"` and its `oem-release` says `ID=xen`. A byte scan of the partition's first
 * megabytes finds either without reading the file system.
 */
export async function readOemId(source: DiskSource, oem: PartitionEntry): Promise<string | undefined> {
  const end = Math.min(oem.startBytes + Math.min(oem.sizeBytes, OEM_SCAN_BYTES), source.size);
  const buf = Buffer.alloc(OEM_CHUNK + 64);
  let carry = '';
  for (let at = oem.startBytes; at < end; at += OEM_CHUNK) {
    const len = Math.min(OEM_CHUNK, end - at);
    await source.read(at, len, buf);
    const text = carry + buf.toString('latin1', 0, len);
    const m = /oem_id="?([A-Za-z0-9_-]{2,32})/.exec(text) ?? /(?:^|\n)ID=([a-z0-9_-]{2,32})\n/.exec(text);
    if (m) return m[1]!.toLowerCase();
    carry = text.slice(-64);
  }
  return undefined;
}

const FLAVOURS: Array<{ id: string; name: string; words: RegExp }> = [
  { id: 'xen', name: 'Xen', words: /(^|[^a-z0-9])xen([^a-z0-9]|$)/i },
  { id: 'azure', name: 'Azure', words: /(^|[^a-z0-9])azure([^a-z0-9]|$)/i },
];

/** Warnings for an image built for another platform, judged by file name and OEM id. */
export function cloudFlavourWarnings(sourcePath: string, oemId: string | undefined): Notice[] {
  const name = basename(sourcePath);
  const warnings: Notice[] = [];
  for (const f of FLAVOURS) {
    const byName = f.words.test(name);
    const byOem = oemId === f.id;
    if (!byName && !byOem) continue;
    const id = oemId ?? '';
    const why = byName && byOem ? notice('by-file-name-and-oem-id', { name, id }) : byName ? notice('by-file-name', { name }) : notice('by-oem-id', { id });
    warnings.push(notice('cloud-flavour', { flavour: f.name, why }));
  }
  if (oemId !== undefined && !VMWARE_OEM_IDS.has(oemId) && !FLAVOURS.some((f) => f.id === oemId)) {
    warnings.push(notice('oem-not-vmware', { id: oemId }));
  }
  return warnings;
}

export interface GuestDetection {
  guest: EngineGuestGuess;
  filesystems: Map<number, FsSignature>;
  wholeDisk?: FsSignature;
  /** Informative, non-fatal: a platform-flavoured image. */
  warnings: Notice[];
}

/** Reads what the guess needs from the disk (a few KiB per partition) and guesses. */
export async function detectGuest(source: DiskSource, table: PartitionTable | null): Promise<GuestDetection> {
  const filesystems = new Map<number, FsSignature>();
  let wholeDisk: FsSignature | undefined;
  if (table) {
    for (const p of table.partitions) {
      if (p.type === '0x05' || p.type === '0x0f' || p.type === '0x85') continue; // extended containers hold EBRs
      if (p.startBytes >= source.size || p.sizeBytes === 0) continue;
      const fs = await readFilesystem(source, p.startBytes, p.sizeBytes);
      if (fs) filesystems.set(p.index, fs);
    }
  } else {
    wholeDisk = await readFilesystem(source, 0, source.size);
  }
  const types = new Map<number, string>([...filesystems].map(([i, fs]) => [i, fs.type]));
  if (wholeDisk) types.set(-1, wholeDisk.type);
  const read = await readGuest(source, table, types);
  const guest = withGuestFiles(guessGuest({ table, filesystems, wholeDisk }), read);
  const oem = table?.partitions.find((p) => p.name?.toUpperCase() === 'OEM');
  const oemId = oem ? await readOemId(source, oem) : undefined;
  if (oemId) guest.evidence.push(notice('oem-set-up', { index: oem!.index, id: oemId }));
  return {
    guest,
    filesystems,
    ...(wholeDisk ? { wholeDisk } : {}),
    warnings: [...partitionWarnings(table, source.size), ...read.warnings, ...cloudFlavourWarnings(source.path, oemId)],
  };
}
