// A seeded fuzz loop over the guest readers: NTFS, FAT and ext images and registry hives made by
// the real tools, then bit flips, byte sets and boundary integers in their metadata. Property:
// every case ends (within the test's time) either with an answer or with GuestFsError — never
// another exception. FERRY_FUZZ_SEED replays a run; FERRY_GUEST_FUZZ_SECONDS bounds it (default 8).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DiskSource } from '../../worker/engine/sources/source';
import { openGuestFs } from '../../worker/engine/guest/fs/open';
import { GuestFsError } from '../../worker/engine/guest/fs/volume';
import { readInitramfs } from '../../worker/engine/guest/linux/initramfs';
import { Hive, bufferBytes } from '../../worker/engine/guest/registry/regf';
import { readServices, readWindowsVersion } from '../../worker/engine/guest/registry/windows-keys';
import { canMountNtfs, makeInitramfs, makeNtfs, run, tempDir } from './helpers';
import { makeHive } from './regf-writer';

const SEED = process.env.FERRY_FUZZ_SEED ? Number(process.env.FERRY_FUZZ_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const SECONDS = Number(process.env.FERRY_GUEST_FUZZ_SECONDS ?? 8);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BOUNDARY = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0xffffffff];

function mutate(base: Buffer, regions: Array<[number, number]>, r: () => number): Buffer {
  const b = Buffer.from(base);
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const [from, to] = regions[Math.floor(r() * regions.length)]!;
    const at = from + Math.floor(r() * Math.max(1, Math.min(to, b.length) - from));
    const kind = r();
    if (kind < 0.5) b[at] = b[at]! ^ (1 << Math.floor(r() * 8));
    else if (kind < 0.75) b[at] = Math.floor(r() * 256);
    else if (at + 4 <= b.length) b.writeUInt32LE(BOUNDARY[Math.floor(r() * BOUNDARY.length)]!, at);
  }
  return b;
}

function memorySource(b: Buffer): DiskSource {
  return {
    path: '/fuzz.img',
    size: b.length,
    info: { path: '/fuzz.img', fileSize: b.length, format: 'raw', variant: 'raw', virtualSize: b.length, allocatedBytes: b.length, parents: [], warnings: [] },
    async *runs() {
      yield { offset: 0, length: b.length, kind: 'data' as const };
    },
    async read(offset, length, into) {
      if (offset < 0 || offset + length > b.length) throw new Error('read outside the disk');
      b.copy(into, 0, offset, offset + length);
    },
    async close() {},
  };
}

async function exerciseFs(img: Buffer, type: string, paths: string[]): Promise<void> {
  const fs = await openGuestFs(memorySource(img), { startBytes: 0, sizeBytes: img.length }, type);
  for (const p of paths) {
    await fs.readFile(p, 4 * 1024 * 1024);
    await fs.list(p.split('/').slice(0, -1).join('/') || '/');
    if (type === 'NTFS') await fs.diskRanges(p);
  }
}

async function exerciseHive(b: Buffer): Promise<void> {
  const hive = await Hive.open(bufferBytes(b));
  await readWindowsVersion(hive);
  await readServices(hive, ['storahci', 'pciide']).catch((e: unknown) => {
    if (!(e instanceof GuestFsError)) throw e;
  });
}

let dir: string;
before(() => {
  dir = tempDir('guest-fuzz');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test(`guest readers survive mutated metadata (seed ${SEED})`, { timeout: (SECONDS + 60) * 1000 }, async () => {
  const bases: Array<{ name: string; data: Buffer; regions: Array<[number, number]>; run: (b: Buffer) => Promise<unknown> }> = [];
  if (canMountNtfs()) {
    const ntfs = join(dir, 'n.img');
    makeNtfs(ntfs, 8, (root) => {
      mkdirSync(join(root, 'Windows/System32/config'), { recursive: true });
      for (let i = 0; i < 60; i++) writeFileSync(join(root, `Windows/System32/f${i}.dll`), Buffer.alloc(5000, i));
      writeFileSync(join(root, 'Windows/System32/config/SOFTWARE'), Buffer.alloc(70_000, 7));
    });
    const data = readFileSync(ntfs);
    const mftLcn = Number(data.readBigUInt64LE(0x30));
    const cluster = data.readUInt16LE(11) * data[13]!;
    bases.push({ name: 'NTFS', data, regions: [[0, 512], [mftLcn * cluster, mftLcn * cluster + 64 * 1024]], run: (b) => exerciseFs(b, 'NTFS', ['Windows/System32/config/SOFTWARE', 'Windows/System32/f33.dll']) });
  }
  const fat = join(dir, 'f.img');
  run('truncate', ['-s', '16M', fat]);
  run('mkfs.fat', ['-F', '16', fat]);
  writeFileSync(join(dir, 'x.efi'), Buffer.alloc(9000, 3));
  run('mmd', ['-i', fat, '::/EFI']);
  run('mcopy', ['-i', fat, join(dir, 'x.efi'), '::/EFI/A Long Name.efi']);
  bases.push({ name: 'FAT16', data: readFileSync(fat), regions: [[0, 512], [512, 64 * 1024]], run: (b) => exerciseFs(b, 'FAT16', ['EFI/A Long Name.efi']) });
  const extRoot = join(dir, 'ext');
  mkdirSync(join(extRoot, 'etc'), { recursive: true });
  writeFileSync(join(extRoot, 'etc/os-release'), 'ID=rhel\n');
  const ext = join(dir, 'e.img');
  run('truncate', ['-s', '4M', ext]);
  run('mkfs.ext4', ['-q', '-F', '-d', extRoot, ext]);
  bases.push({ name: 'ext4', data: readFileSync(ext), regions: [[1024, 2048], [2048, 300 * 1024]], run: (b) => exerciseFs(b, 'ext4', ['etc/os-release']) });
  const hivePath = join(dir, 'SOFTWARE');
  makeHive(hivePath, 'HKEY_LOCAL_MACHINE\\SOFTWARE', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\n"ProductName"="Windows 10 Pro"\n"CurrentBuild"="22631"');
  const hive = readFileSync(hivePath);
  bases.push({ name: 'regf', data: hive, regions: [[0, 512], [4096, hive.length]], run: exerciseHive });
  const initramfs = makeInitramfs(dir, { 'usr/lib/modules/6.1/kernel/drivers/scsi/vmw_pvscsi.ko.xz': 'x' }, 'gzip');
  bases.push({ name: 'initramfs', data: initramfs, regions: [[0, initramfs.length]], run: (b) => readInitramfs(bufferBytes(b)) });
  const zstd = makeInitramfs(dir, { 'usr/lib/modules/6.1/kernel/drivers/scsi/vmw_pvscsi.ko.zst': Buffer.alloc(200_000, 'pvscsi') }, 'zstd');
  bases.push({ name: 'zstd initramfs', data: zstd, regions: [[0, zstd.length]], run: (b) => readInitramfs(bufferBytes(b)) });

  for (const b of bases) await b.run(b.data); // every base reads cleanly
  const r = rng(SEED);
  const deadline = Date.now() + SECONDS * 1000;
  let cases = 0;
  while (Date.now() < deadline) {
    const base = bases[cases % bases.length]!;
    const m = mutate(base.data, base.regions, r);
    try {
      await base.run(m);
    } catch (err) {
      assert.ok(err instanceof GuestFsError, `${base.name} case ${cases} (seed ${SEED}): ${err instanceof Error ? err.stack : String(err)}`);
    }
    cases++;
  }
  assert.ok(cases > bases.length, `only ${cases} cases ran`);
  if (process.env.FERRY_FUZZ_VERBOSE) console.log(`${cases} cases`);
});
