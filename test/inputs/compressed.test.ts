// Compressed downloads: a dynamic VHD, a fixed VHD and a raw image, each packed by the system's
// gzip, bzip2, xz, zip and tar, convert to exactly the bytes of the unpacked original, and
// leave nothing behind, whether they succeed, fail or are cancelled.
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryError } from '../../worker/engine/errors';
import { expandSparse, sparseLayout } from '../../worker/engine/sources/compressed/sparse-tar';
import { ferry, lastEvent } from '../support/cli';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';
import { MiB, pseudoRandom } from '../support/vhd-writer';
import { CONTAINERS, assertIdentical, ferryInterrupted, leftovers, makeRaw, makeVhd, pack } from './helpers';

describe('compressed sources convert byte-exact', () => {
  let dir: string;
  const payloads: Array<{ file: string; format: string }> = [
    { file: 'dyn.vhd', format: 'vpc' },
    { file: 'fixed.vhd', format: 'vpc' },
    { file: 'disk.img', format: 'raw' },
  ];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-inputs-'));
    const raw = makeRaw(dir);
    makeVhd(raw, join(dir, 'dyn.vhd'), 'dynamic');
    makeVhd(raw, join(dir, 'fixed.vhd'), 'fixed');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const p of payloads) {
    for (const container of CONTAINERS) {
      it(`${p.file} in ${container}`, async (t) => {
        const packed = pack(dir, p.file, container);
        const out = tempDir(t);
        const r = await ferry(['convert', packed, join(out, 'out.vmdk'), '--json']);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const phases = new Set(r.json.filter((e) => e.type === 'progress').map((e) => e.phase));
        assert.ok(phases.has('decompressing'), `no decompressing phase: ${[...phases].join(', ')}`);
        assertIdentical(join(dir, p.file), p.format, join(out, 'out.vmdk'), 'vmdk');
        assert.deepEqual(leftovers(out), []);
      });
    }
  }

  it('inspect says what was unpacked and describes the disk inside', async () => {
    const packed = pack(dir, 'dyn.vhd', 'bz2', 'coreos_production_xen_image.vhd.bz2');
    const r = await ferry(['inspect', packed, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = lastEvent(r);
    assert.equal(info.format, 'vhd');
    assert.equal(info.variant, 'dynamic');
    assert.equal(info.path, packed);
    assert.equal(info.fileSize, statSync(packed).size);
    assert.deepEqual(info.compression, { format: 'bzip2', layers: ['bzip2'], unpackedSize: statSync(join(dir, 'dyn.vhd')).size });
    const text = await ferry(['inspect', packed]);
    assert.match(text.stdout, /Compressed\s+bzip2/);
    assert.deepEqual(leftovers(dir), []);
  });

  it('inspect names the archive member used, through nested layers', async () => {
    const packed = pack(dir, 'fixed.vhd', 'tar.gz', 'bundle.tgz');
    const info = lastEvent(await ferry(['inspect', packed, '--json']));
    assert.deepEqual(info.compression, { format: 'gzip', layers: ['gzip', 'tar'], member: 'fixed.vhd', unpackedSize: statSync(join(dir, 'fixed.vhd')).size });
    const zipped = pack(dir, 'disk.img', 'zip', 'download.zip');
    const z = lastEvent(await ferry(['inspect', zipped, '--json']));
    assert.equal(z.format, 'raw');
    assert.deepEqual(z.compression, { format: 'zip', layers: ['zip'], member: 'disk.img', unpackedSize: statSync(join(dir, 'disk.img')).size });
  });

  it('ferry vm takes a compressed source, but not with --zero-copy', async (t) => {
    const out = tempDir(t);
    const packed = pack(dir, 'fixed.vhd', 'gz', 'appliance.vhd.gz');
    const r = await ferry(['vm', packed, out, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const files = lastEvent(r).files as string[];
    const disk = files.find((f) => f.endsWith('.vmdk'));
    assert.ok(disk, JSON.stringify(files));
    assertIdentical(join(dir, 'fixed.vhd'), 'vpc', disk, 'vmdk');
    const folders = readdirSync(out);
    const z = await ferry(['vm', packed, out, '--name', 'zc', '--zero-copy', '--json']);
    assert.equal(z.code, 2, z.stdout);
    assert.equal(lastEvent(z).code, 'E_UNSUPPORTED');
    assert.match(String(lastEvent(z).message), /compressed/);
    assert.deepEqual(readdirSync(out), folders);
  });

  it('a zip with two disks is refused, naming both', async (t) => {
    const d = tempDir(t);
    copyFileSync(join(dir, 'dyn.vhd'), join(d, 'a.vhd'));
    copyFileSync(join(dir, 'fixed.vhd'), join(d, 'b.vhd'));
    writeFileSync(join(d, 'README.txt'), 'two disks\n');
    runOk('zip', ['-q', 'two.zip', 'a.vhd', 'b.vhd', 'README.txt'], { cwd: d });
    const r = await ferry(['convert', join(d, 'two.zip'), join(d, 'out.vmdk'), '--json']);
    assert.equal(r.code, 2);
    const err = lastEvent(r);
    assert.equal(err.code, 'E_UNSUPPORTED');
    assert.match(String(err.message), /a\.vhd/);
    assert.match(String(err.message), /b\.vhd/);
    assert.deepEqual(leftovers(d), []);
  });

  it('an archive without a disk is not a disk, and says what it holds', async (t) => {
    const d = tempDir(t);
    writeFileSync(join(d, 'notes.txt'), 'no disk here\n');
    runOk('tar', ['-cf', 'notes.tar', 'notes.txt'], { cwd: d });
    const r = await ferry(['inspect', join(d, 'notes.tar'), '--json']);
    assert.equal(r.code, 2);
    assert.equal(lastEvent(r).code, 'E_NOT_A_DISK');
    assert.match(String(lastEvent(r).message), /notes\.txt/);
  });

  it('a truncated .bz2: exit 2, a clear message, nothing left behind', async (t) => {
    const d = tempDir(t);
    const packed = pack(dir, 'fixed.vhd', 'bz2', 'cut.vhd.bz2');
    const cut = join(d, 'cut.vhd.bz2');
    copyFileSync(packed, cut);
    truncateSync(cut, Math.floor(statSync(cut).size * 0.6));
    const r = await ferry(['convert', cut, join(d, 'out.vmdk'), '--json']);
    assert.equal(r.code, 2, r.stdout);
    const err = lastEvent(r);
    assert.equal(err.code, 'E_CORRUPT');
    assert.match(String(err.message), /cut\.vhd\.bz2.*(truncated|ends early)/);
    assert.deepEqual(leftovers(d), []);
  });

  it('damaged gzip and xz data: exit 2, E_CORRUPT', async (t) => {
    const d = tempDir(t);
    for (const container of ['gz', 'xz'] as const) {
      const packed = pack(dir, 'disk.img', container, `bad.img.${container}`);
      const bad = readFileSync(packed);
      const mid = Math.floor(bad.length / 2);
      bad.fill(0xff, mid, mid + 64);
      writeFileSync(join(d, `bad.img.${container}`), bad);
      const r = await ferry(['convert', join(d, `bad.img.${container}`), join(d, `out-${container}.vmdk`), '--json']);
      assert.equal(r.code, 2, `${container}: ${r.stdout}`);
      assert.equal(lastEvent(r).code, 'E_CORRUPT');
    }
    assert.deepEqual(leftovers(d), []);
  });

  it('cancelled while decompressing (SIGINT): exit 130 and the scratch folder is gone', async (t) => {
    const d = tempDir(t);
    // Incompressible data decompresses slowly enough (pure-JS bzip2) to be interrupted.
    writeFileSync(join(d, 'noise.img'), pseudoRandom(24 * MiB, 99));
    runOk('sh', ['-c', 'bzip2 -1 -c noise.img > noise.img.bz2 && rm noise.img'], { cwd: d });
    const r = await ferryInterrupted(['convert', join(d, 'noise.img.bz2'), join(d, 'out.vmdk')], 'decompressing');
    assert.ok(r.interrupted, `never saw decompressing progress: ${r.stdout}${r.stderr}`);
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.deepEqual(leftovers(d), []);
    assert.deepEqual(readdirSync(d), ['noise.img.bz2']);
  });
});

// GNU tar's sparse members (tar -S) store only the data segments and a map: read as a plain
// member they are not the disk. The PAX layouts are expanded; the others are refused clearly.
describe('sparse tar members', () => {
  let dir: string;
  let raw: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-sparse-tar-'));
    raw = join(dir, 'disk.raw');
    // An MBR, data in the middle and at the very end, holes between: 96 MiB with ~1.3 MiB stored.
    writeFileSync(raw, '');
    truncateSync(raw, 96 * MiB);
    const fd = openSync(raw, 'r+');
    const mbr = Buffer.alloc(512);
    mbr[446 + 4] = 0x83;
    mbr.writeUInt32LE(2048, 446 + 8);
    mbr.writeUInt32LE(96 * 2048 - 2048, 446 + 12);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    writeSync(fd, mbr, 0, 512, 0);
    writeSync(fd, pseudoRandom(MiB + 300, 41), 0, MiB + 300, 10 * MiB + 7);
    writeSync(fd, pseudoRandom(4096, 42), 0, 4096, 96 * MiB - 4096);
    closeSync(fd);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const tarOf = (name: string, args: string[]): string => {
    runOk('tar', ['-C', dir, ...args, '-Scf', join(dir, name), 'disk.raw']);
    return join(dir, name);
  };

  for (const [label, args] of [
    ['PAX 1.0 (tar --format=posix -S)', ['--format=posix']],
    ['PAX 0.1', ['--format=posix', '--sparse-version=0.1']],
    ['PAX 1.0 inside gzip', ['--format=posix', '-z']],
  ] as const) {
    it(`${label} expands to the whole disk, holes and all`, async (t) => {
      const packed = tarOf(`${label.replace(/\W+/g, '-')}.tar`, [...args]);
      assert.ok(statSync(packed).size < 4 * MiB, 'the archive really is sparse');
      const out = tempDir(t);
      const r = await ferry(['convert', packed, join(out, 'out.vmdk'), '--json']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(lastEvent(r).virtualSize, 96 * MiB);
      assertIdentical(raw, 'raw', join(out, 'out.vmdk'), 'vmdk');
      assert.deepEqual(leftovers(out), []);
    });
  }

  for (const [label, args, says] of [
    ['PAX 0.0', ['--format=posix', '--sparse-version=0.0'], /0\.0 layout/],
    ['old GNU (as Google Cloud packs images)', ['--format=oldgnu', '-z'], /old GNU layout/],
  ] as const) {
    it(`${label} is refused with the way out, never converted as stored`, async (t) => {
      const packed = tarOf(`${label.replace(/\W+/g, '-')}.tar`, [...args]);
      const out = tempDir(t);
      const r = await ferry(['convert', packed, join(out, 'out.vmdk'), '--json']);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      const err = lastEvent(r);
      assert.equal(err.code, 'E_UNSUPPORTED');
      assert.match(String(err.message), says);
      assert.match(String(err.hint), /tar -xSf/);
      assert.deepEqual(readdirSync(out), []);
    });
  }

  it('a map that places more data than the member holds is E_CORRUPT', async () => {
    const layout = { name: 'disk.raw', realSize: 4 * MiB, map: [{ offset: 0, length: 2 * MiB }] };
    const out = join(dir, 'short.raw');
    const handle = await open(out, 'w');
    try {
      await assert.rejects(
        expandSparse('a.tar', layout, (async function* () {
          yield Buffer.alloc(MiB, 1);
        })(), handle),
        (e: unknown) => e instanceof FerryError && e.code === 'E_CORRUPT' && /places 2097152 bytes but the member holds 1048576/.test(e.message),
      );
    } finally {
      await handle.close();
    }
    // Layout 1.0 of a file that is all hole, whose map text fills exactly 512 bytes (127 empty
    // segments), with nothing after it: the member ends where the map does.
    const empty = join(dir, 'empty.raw');
    const emptyHandle = await open(empty, 'w');
    try {
      const map = Buffer.from(`127\n${'0\n0\n'.repeat(127)}`);
      assert.equal(map.length, 512);
      assert.equal(await expandSparse('a.tar', { name: 'e.raw', realSize: MiB }, (async function* () {
        yield map;
      })(), emptyHandle), MiB);
    } finally {
      await emptyHandle.close();
    }
    assert.ok(readFileSync(empty).equals(Buffer.alloc(MiB)));
    assert.throws(
      () => sparseLayout('a.tar', { name: 'x.raw', type: 'file', pax: { 'GNU.sparse.map': '0,10,5,10', 'GNU.sparse.size': '100' } }),
      (e: unknown) => e instanceof FerryError && e.code === 'E_CORRUPT' && /overlaps/.test(e.message),
    );
  });
});

