// The guest file-system readers against images made by mkntfs/ntfs-3g, mkfs.fat/mtools and
// mkfs.ext4/mkfs.ext2 -d, read back with the same tools' readers (ntfscat, mtype, debugfs) as oracles.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GuestFs } from '../../worker/engine/guest/fs/guest-fs';
import { NtfsDriver } from '../../worker/engine/guest/fs/ntfs/ntfs';
import { openGuestFs } from '../../worker/engine/guest/fs/open';
import { GuestFsError, Volume } from '../../worker/engine/guest/fs/volume';
import { canMountNtfs, fileSource, makeNtfs, MiB, run, tempDir } from './helpers';

function pattern(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

async function whole(path: string, type: string): Promise<GuestFs> {
  const src = fileSource(path);
  return openGuestFs(src, { startBytes: 0, sizeBytes: src.size }, type);
}

let dir: string;
before(() => {
  dir = tempDir('guestfs');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('NTFS', { skip: canMountNtfs() ? false : 'needs root and FUSE for ntfs-3g' }, () => {
  let img: string;
  const hive = pattern(3 * MiB + 123, 7);
  before(() => {
    img = join(dir, 'ntfs.img');
    makeNtfs(img, 64, (root) => {
      mkdirSync(join(root, 'Windows/System32/config'), { recursive: true });
      // Scattered small files, half deleted, so the large file written after them is fragmented.
      for (let i = 0; i < 400; i++) writeFileSync(join(root, `Windows/System32/f${i}.dll`), pattern(9000, i));
      for (let i = 0; i < 400; i += 2) unlinkSync(join(root, `Windows/System32/f${i}.dll`));
      writeFileSync(join(root, 'Windows/System32/config/SYSTEM'), hive);
      writeFileSync(join(root, 'tiny.txt'), 'resident\n');
    });
  });

  test('reads files by path case-insensitively, as ntfscat does', async () => {
    const fs = await whole(img, 'NTFS');
    const got = await fs.readFile('/windows/SYSTEM32/Config/system');
    assert.ok(got);
    assert.ok(got.equals(run('ntfscat', [img, 'Windows/System32/config/SYSTEM'])));
    assert.ok(got.equals(hive));
    assert.equal((await fs.readFile('TINY.TXT'))!.toString(), 'resident\n');
    assert.equal(await fs.readFile('Windows/System32/f0.dll'), undefined, 'a deleted file is not found');
    assert.ok((await fs.readFile('Windows/System32/f399.dll'))!.equals(pattern(9000, 399)));
    assert.deepEqual((await fs.stat('Windows'))!.kind, 'dir');
  });

  test('lists a directory spread over index blocks', async () => {
    const fs = await whole(img, 'NTFS');
    const names = (await fs.list('Windows/System32'))!;
    assert.equal(names.length, 201);
    assert.ok(names.includes('config') && names.includes('f1.dll') && !names.includes('f2.dll'));
  });

  test("maps a file's data to the disk bytes that hold it", async () => {
    const fs = await whole(img, 'NTFS');
    const ranges = (await fs.diskRanges('Windows/System32/config/SYSTEM'))!;
    assert.ok(ranges.length >= 1);
    const disk = readFileSync(img);
    let covered = 0;
    for (const r of ranges) {
      assert.ok(disk.subarray(r.diskOffset, r.diskOffset + r.length).equals(hive.subarray(r.fileOffset, r.fileOffset + r.length)));
      covered += r.length;
    }
    assert.equal(covered, hive.length);
  });

  for (const cluster of [512, 4096, 65536]) {
    test(`clusters of ${cluster} bytes: a fragmented file, a directory, ntfscat's bytes`, async () => {
      const small = join(dir, `ntfs-c${cluster}.img`);
      const data = pattern(3 * MiB + 77, 3);
      makeNtfs(small, 48, (root) => {
        mkdirSync(join(root, 'Windows/System32/config'), { recursive: true });
        for (let i = 0; i < 40; i++) writeFileSync(join(root, `Windows/f${i}`), pattern(cluster + 100, i));
        for (let i = 0; i < 40; i += 2) unlinkSync(join(root, `Windows/f${i}`));
        writeFileSync(join(root, 'Windows/System32/config/SOFTWARE'), data);
      }, ['-c', String(cluster)]);
      const fs = await whole(small, 'NTFS');
      const got = await fs.readFile('Windows/System32/config/SOFTWARE');
      assert.ok(got?.equals(run('ntfscat', [small, 'Windows/System32/config/SOFTWARE'])));
      assert.ok(got!.equals(data));
      assert.equal((await fs.list('Windows'))!.length, 21);
      rmSync(small, { force: true });
    });
  }

  test('a damaged MFT is a GuestFsError, never a crash', async () => {
    const bad = join(dir, 'ntfs-bad.img');
    writeFileSync(bad, readFileSync(img));
    const src = fileSource(bad);
    const d = await NtfsDriver.open(new Volume(src, 0, src.size));
    // Tear the root directory's record (5): its update sequence no longer matches.
    const at = d.boot.mftLcn * d.boot.clusterSize + 5 * d.boot.recordSize + 510;
    const fd = openSync(bad, 'r+');
    writeSync(fd, Buffer.from([0xde, 0xad]), 0, 2, at);
    closeSync(fd);
    await assert.rejects(whole(bad, 'NTFS').then((fs) => fs.readFile('Windows/System32/config/SYSTEM')), GuestFsError);
    const zeroed = join(dir, 'ntfs-zero.img');
    writeFileSync(zeroed, Buffer.concat([readFileSync(img).subarray(0, 512), Buffer.alloc(MiB)]));
    await assert.rejects(whole(zeroed, 'NTFS'), GuestFsError);
  });
});

describe('FAT', () => {
  for (const bits of [12, 16, 32] as const) {
    test(`FAT${bits}: long names, subdirectories, files over several clusters`, async () => {
      const img = join(dir, `fat${bits}.img`);
      const size = bits === 32 ? 64 : bits === 16 ? 16 : 2;
      run('truncate', ['-s', `${size}M`, img]);
      run('mkfs.fat', ['-F', String(bits), ...(bits === 32 ? ['-s', '1'] : []), img]);
      const host = join(dir, `fat${bits}-files`);
      mkdirSync(host, { recursive: true });
      const data = pattern(bits === 12 ? 40_000 : 300_000, bits);
      writeFileSync(join(host, 'bootx64.efi'), data);
      run('mmd', ['-i', img, '::/EFI', '::/EFI/Microsoft Boot Folder']);
      run('mcopy', ['-i', img, join(host, 'bootx64.efi'), '::/EFI/Microsoft Boot Folder/A Rather Long Name.efi']);
      run('mcopy', ['-i', img, join(host, 'bootx64.efi'), '::/EFI/BOOTX64.EFI']);
      const fs = await whole(img, `FAT${bits}`);
      assert.equal(fs.type, `FAT${bits}`);
      const long = await fs.readFile('/efi/microsoft boot folder/a rather long name.EFI');
      assert.ok(long && long.equals(data));
      assert.ok(long.equals(run('mtype', ['-i', img, '::/EFI/Microsoft Boot Folder/A Rather Long Name.efi'])));
      assert.ok((await fs.readFile('EFI/bootx64.efi'))!.equals(data));
      assert.deepEqual((await fs.list('/EFI'))!.sort(), ['BOOTX64.EFI', 'Microsoft Boot Folder']);
    });
  }

  test('a cluster chain that loops is a GuestFsError', async () => {
    const img = join(dir, 'fat-loop.img');
    run('truncate', ['-s', '16M', img]);
    run('mkfs.fat', ['-F', '16', img]);
    const host = join(dir, 'loop.bin');
    writeFileSync(host, pattern(100_000, 3));
    run('mcopy', ['-i', img, host, '::/LOOP.BIN']);
    const raw = readFileSync(img);
    const reserved = raw.readUInt16LE(14);
    const fat = reserved * 512;
    // The file starts at cluster 2 (first free); point its second cluster back at the first.
    raw.writeUInt16LE(2, fat + 3 * 2);
    writeFileSync(img, raw);
    const fs = await whole(img, 'FAT16');
    await assert.rejects(fs.readFile('LOOP.BIN'), GuestFsError);
  });
});

describe('ext', () => {
  for (const kind of ['ext4', 'ext2'] as const) {
    test(`${kind}: files, symlinks, a hashed directory, a file past the direct blocks`, async () => {
      const root = join(dir, `${kind}-root`);
      mkdirSync(join(root, 'etc'), { recursive: true });
      mkdirSync(join(root, 'usr/lib'), { recursive: true });
      mkdirSync(join(root, 'many'), { recursive: true });
      writeFileSync(join(root, 'usr/lib/os-release'), 'ID=rhel\nVERSION_ID="9.4"\n');
      symlinkSync('../usr/lib/os-release', join(root, 'etc/os-release'));
      for (let i = 0; i < 600; i++) writeFileSync(join(root, `many/entry-with-a-long-name-${i}`), String(i));
      const big = pattern(5 * MiB + 17, 5);
      writeFileSync(join(root, 'big.bin'), big);
      const img = join(dir, `${kind}.img`);
      run('truncate', ['-s', '48M', img]);
      run(`mkfs.${kind}`, ['-q', '-F', '-b', '1024', '-d', root, img]);
      // e2fsck -D rebuilds directories, hashing the large one (mkfs -d writes them linear).
      if (kind === 'ext4') spawnSync('e2fsck', ['-fyD', img]);
      const fs = await whole(img, kind);
      assert.equal((await fs.readFile('/etc/os-release'))!.toString(), 'ID=rhel\nVERSION_ID="9.4"\n');
      assert.equal((await fs.stat('/etc/os-release'))!.kind, 'file');
      const got = (await fs.readFile('big.bin', 8 * MiB))!;
      assert.ok(got.equals(big));
      assert.ok(got.equals(run('debugfs', ['-R', 'cat /big.bin', img])));
      assert.equal((await fs.list('many'))!.length, 600);
      assert.equal((await fs.readFile('many/entry-with-a-long-name-599'))!.toString(), '599');
      assert.equal(await fs.readFile('/etc/missing'), undefined);
      await assert.rejects(fs.readFile('big.bin', MiB), GuestFsError, 'a file over the limit is refused');
      if (kind === 'ext4') assert.match(run('debugfs', ['-R', 'htree many', img]).toString(), /Root node/, 'the directory is hashed');
    });
  }

  test('a damaged superblock is a GuestFsError', async () => {
    const img = join(dir, 'ext-bad.img');
    run('truncate', ['-s', '8M', img]);
    run('mkfs.ext4', ['-q', '-F', img]);
    const raw = readFileSync(img);
    raw.writeUInt32LE(40, 1024 + 0x18);
    writeFileSync(img, raw);
    await assert.rejects(whole(img, 'ext4'), GuestFsError);
  });

  test('XFS and btrfs are recognised but not read', async () => {
    await assert.rejects(whole(join(dir, 'ext-bad.img'), 'xfs'), /xfs is recognised but its files are not read/);
  });
});
