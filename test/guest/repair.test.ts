// Windows boot repair, planned: the bytes that make a controller's driver a boot driver, found
// through NTFS in the SYSTEM hive's value cells. Applied to a copy of the disk, then read back
// with ntfscat and hivexget (tools no one here wrote); every refusal reason that can be built
// here refuses.
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, rmSync, statfsSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DiskPatch } from '../../worker/engine/guest/repair/plan';
import { canMountNtfs, run, tempDir } from './helpers';
import { NTFS_START, SYS, planRepairOf as plan, windowsDisk, type WindowsDiskSpec } from './windows-disk';
import { english } from '../../worker/engine/notices';

let dir: string;
before(() => {
  dir = tempDir('repair');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const WIN10 = { productName: 'Windows 10 Pro', installationType: 'Client', build: 19045 };
const CS = `${SYS}\\ControlSet001\\Services`;

function apply(disk: string, patches: DiskPatch[]): string {
  const out = `${disk}.patched`;
  writeFileSync(out, readFileSync(disk));
  const fd = openSync(out, 'r+');
  for (const p of patches) writeSync(fd, p.bytes, 0, p.bytes.length, p.offset);
  closeSync(fd);
  return out;
}

/** The patched disk's NTFS partition as an image, for ntfscat. */
function ntfsOf(disk: string): string {
  const sfdisk = JSON.parse(run('sfdisk', ['--json', disk]).toString()) as { partitiontable: { partitions: Array<{ start: number; size: number }> } };
  const p = sfdisk.partitiontable.partitions[1]!;
  const img = `${disk}.ntfs`;
  writeFileSync(img, readFileSync(disk).subarray(p.start * 512, (p.start + p.size) * 512));
  return img;
}

function hiveValue(disk: string, key: string, value: string): string {
  const ntfs = ntfsOf(disk);
  const hive = `${disk}.SYSTEM`;
  writeFileSync(hive, run('ntfscat', [ntfs, 'Windows/System32/config/SYSTEM']));
  unlinkSync(ntfs);
  return run('hivexget', [hive, key, value]).toString().trim();
}

/** Sets the dirty bit of $VOLUME_INFORMATION in $Volume (MFT record 3), as Windows does while mounted. */
function setNtfsDirty(disk: string): void {
  const raw = readFileSync(disk);
  const base = NTFS_START;
  const cluster = raw.readUInt16LE(base + 11) * raw[base + 13]!;
  const recordSize = 1024; // mkntfs's default
  const rec = base + Number(raw.readBigUInt64LE(base + 0x30)) * cluster + 3 * recordSize;
  assert.equal(raw.toString('latin1', rec, rec + 4), 'FILE');
  let at = rec + raw.readUInt16LE(rec + 20);
  while (raw.readUInt32LE(at) !== 0x70) at += raw.readUInt32LE(at + 4);
  const value = at + raw.readUInt16LE(at + 20);
  raw.writeUInt16LE(raw.readUInt16LE(value + 10) | 1, value + 10);
  writeFileSync(disk, raw);
}

describe('boot repair plan', { skip: canMountNtfs() ? false : 'needs root and FUSE for ntfs-3g' }, () => {
  const make = (name: string, spec: Partial<WindowsDiskSpec>) => windowsDisk(dir, name, { ...WIN10, ...spec });

  test('SATA: storahci Start 3 → 0 and its StartOverride → 0, and nothing else on the disk changes', async () => {
    const disk = make('sata', { system: `[${CS}\\storahci]\n"Start"=dword:00000003\n\n[${CS}\\storahci\\StartOverride]\n"0"=dword:00000003` });
    const p = await plan(disk, 'sata');
    assert.equal(p.kind, 'patch', JSON.stringify(p));
    if (p.kind !== 'patch') return;
    assert.deepEqual(p.changes, ['ControlSet001\\Services\\storahci\\Start: 3 → 0', 'ControlSet001\\Services\\storahci\\StartOverride\\0: 3 → 0']);
    const patched = apply(disk, p.patches);
    assert.equal(hiveValue(patched, 'ControlSet001\\Services\\storahci', 'Start'), '0');
    assert.equal(hiveValue(patched, 'ControlSet001\\Services\\storahci\\StartOverride', '0'), '0');
    const a = readFileSync(disk);
    const b = readFileSync(patched);
    const inPatch = (i: number) => p.patches.some((x) => i >= x.offset && i < x.offset + x.bytes.length);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.ok(inPatch(i), `byte ${i} changed outside the patch`);
    assert.equal((await plan(patched, 'sata')).kind, 'none-needed', 'a second plan finds nothing to do');
  });

  test('IDE enables every IDE driver present; a boot driver already at 0 needs nothing', async () => {
    const disk = make('ide', { system: `[${CS}\\atapi]\n"Start"=dword:00000003\n\n[${CS}\\pciide]\n"Start"=dword:00000000\n\n[${CS}\\intelide]\n"Start"=dword:00000004` });
    const p = await plan(disk, 'ide');
    assert.equal(p.kind, 'patch');
    if (p.kind === 'patch') assert.deepEqual(p.changes, ['ControlSet001\\Services\\atapi\\Start: 3 → 0', 'ControlSet001\\Services\\intelide\\Start: 4 → 0']);
    const ok = make('ok', { system: `[${CS}\\storahci]\n"Start"=dword:00000000` });
    assert.equal((await plan(ok, 'sata')).kind, 'none-needed');
  });

  test('a hive spread over several NTFS runs is patched through the right run', async () => {
    const services = Array.from({ length: 300 }, (_, i) => `[${CS}\\svc${String(i).padStart(4, '0')}]\n"Start"=dword:00000003\n"ImagePath"="system32\\\\drivers\\\\svc${i}.sys"`).join('\n\n');
    const disk = make('fragmented', {
      ntfsMiB: 24,
      system: `${services}\n\n[${CS}\\storahci]\n"Start"=dword:00000003`,
      fill: (root) => {
        // 4 KiB files, a ballast filling all but 512 KiB of the rest, then every other file
        // freed: the hives can only go into one-cluster holes.
        for (let i = 0; i < 1000; i++) writeFileSync(join(root, `f${i}`), Buffer.alloc(4096, 1));
        const free = Number(statfsSync(root).bavail) * Number(statfsSync(root).bsize);
        writeFileSync(join(root, 'ballast'), Buffer.alloc(free - 512 * 1024));
        for (let i = 0; i < 1000; i += 2) unlinkSync(join(root, `f${i}`));
      },
    });
    const p = await plan(disk, 'sata');
    assert.equal(p.kind, 'patch');
    if (p.kind !== 'patch') return;
    const patched = apply(disk, p.patches);
    assert.equal(hiveValue(patched, 'ControlSet001\\Services\\storahci', 'Start'), '0');
    assert.equal(hiveValue(patched, 'ControlSet001\\Services\\svc0299', 'Start'), '3');
    const info = run('ntfsinfo', ['-F', 'Windows/System32/config/SYSTEM', '-v', ntfsOf(disk)]).toString();
    const runs = Number(/Total runs: (\d+)/.exec(info)?.[1]);
    assert.ok(runs > 1, `ntfsinfo says the hive has ${runs} run(s)`);
  });

  test('refusals: driver not installed, unclean sequence numbers, a dirty volume, hibernated Windows, pending log, a compressed hive', async () => {
    const none = await plan(make('nopv', {}), 'pvscsi');
    assert.equal(none.kind, 'refused');
    if (none.kind === 'refused') {
      assert.match(english(none.reason), /no driver for this controller \(pvscsi/);
      assert.match(english(none.hint), /--controller sata/);
    }
    const dirty = await plan(make('dirty', { mutateSystem: (hive) => hive.writeUInt32LE(hive.readUInt32LE(4) + 1, 4) }), 'sata');
    assert.equal(dirty.kind, 'refused');
    if (dirty.kind === 'refused') assert.match(english(dirty.reason), /pending log entries \(sequence numbers \d+ and \d+ differ\)/);
    const dirtyNtfs = make('volflag', {});
    setNtfsDirty(dirtyNtfs);
    const d = await plan(dirtyNtfs, 'sata');
    assert.equal(d.kind, 'refused');
    if (d.kind === 'refused') assert.match(english(d.reason), /marked dirty/);
    const hiber = make('hiber', { fill: (root) => writeFileSync(join(root, 'hiberfil.sys'), Buffer.concat([Buffer.from('HIBR'), Buffer.alloc(8188)])) });
    const h = await plan(hiber, 'sata');
    assert.equal(h.kind, 'refused');
    if (h.kind === 'refused') assert.match(english(h.reason), /hibernated/);
    // FILE_ATTRIBUTE_COMPRESSED on the config folder: ntfs-3g then writes the hives compressed.
    const compressed = make('compressed', { fill: (root) => run('python3', ['-c', `import os; os.setxattr(${JSON.stringify(join(root, 'Windows/System32/config'))}, 'system.ntfs_attrib_be', (0x800).to_bytes(4, 'big'))`]) });
    const c = await plan(compressed, 'sata');
    assert.equal(c.kind, 'refused');
    if (c.kind === 'refused') assert.match(english(c.reason), /not stored plainly on the disk \(.*compressed/);
    const log = make('log', {
      fill: (root) => {
        const head = Buffer.alloc(4096);
        head.write('regf', 0, 'latin1');
        head.writeUInt32LE(9, 4);
        head.write('HvLE', 512, 'latin1');
        head.writeUInt32LE(5, 512 + 12);
        writeFileSync(join(root, 'Windows/System32/config/SYSTEM.LOG1'), head);
      },
    });
    const l = await plan(log, 'sata');
    assert.equal(l.kind, 'refused');
    if (l.kind === 'refused') assert.match(english(l.reason), /pending entries in SYSTEM.LOG1/);
  });
});
