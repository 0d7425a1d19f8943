// The pieces of an OVA and of unpacking, in process: ustar headers read back by Python's
// tarfile (including a size over 8 GiB), the vmx → vSphere guest id mapping, and the streaming
// bzip2 decoder fed in awkward chunk sizes, concatenated streams and truncated input.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { createBunzip2 } from '../../worker/engine/sources/compressed/bzip2';
import { ovfGuestFor } from '../../worker/engine/ova/guest-os';
import { padding, trailer, ustarHeader } from '../../worker/engine/ova/ustar';
import { runOk } from '../support/tools';
import { pseudoRandom } from '../support/vhd-writer';

function bzip2(data: Buffer): Buffer {
  const r = spawnSync('bzip2', ['-c', '-9'], { input: data, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0);
  return r.stdout;
}

async function bunzip(input: Buffer, chunk: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) pieces.push(input.subarray(i, i + chunk));
  const out: Buffer[] = [];
  for await (const c of Readable.from(pieces, { objectMode: false }).pipe(createBunzip2())) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('ustar headers', () => {
  it('Python tarfile reads our headers, sizes and padding, including a size past 8 GiB', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-ustar-'));
    try {
      const data = Buffer.from('hello ova\n');
      const small = Buffer.concat([ustarHeader('a.ovf', data.length, 1_700_000_000), data, padding(data.length)]);
      writeFileSync(join(dir, 'a.tar'), Buffer.concat([small, trailer(small.length)]));
      const big = 9 * 1024 * 1024 * 1024 + 123;
      writeFileSync(join(dir, 'big.hdr'), ustarHeader('disk-disk1.vmdk', big, 1_700_000_000));
      const script = `
import sys, tarfile, json
t = tarfile.open(sys.argv[1])
m = t.getmembers()[0]
h = tarfile.TarInfo.frombuf(open(sys.argv[2], 'rb').read(), 'utf-8', 'surrogateescape')
print(json.dumps([m.name, m.size, t.extractfile(m).read().decode(), m.mtime, h.name, h.size]))`;
      const got = JSON.parse(runOk('python3', ['-c', script, join(dir, 'a.tar'), join(dir, 'big.hdr')]).stdout) as unknown[];
      assert.deepEqual(got, ['a.ovf', data.length, 'hello ova\n', 1_700_000_000, 'disk-disk1.vmdk', big]);
      assert.equal((small.length + trailer(small.length).length) % 10240, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses names a ustar header cannot hold', () => {
    assert.throws(() => ustarHeader('x'.repeat(101), 1, 0));
    assert.throws(() => ustarHeader('dir/x.vmdk', 1, 0));
  });
});

describe('OVF guest ids', () => {
  it('maps the ids guest detection picks, and older ids for older hardware', () => {
    assert.equal(ovfGuestFor('windows9-64', 14).osType, 'windows9_64Guest');
    assert.equal(ovfGuestFor('ubuntu-64', 14).osType, 'ubuntu64Guest');
    assert.equal(ovfGuestFor('coreos-64', 14).osType, 'coreos64Guest');
    assert.equal(ovfGuestFor('other-64', 14).osType, 'otherGuest64');
    assert.equal(ovfGuestFor('other5xlinux-64', 19).osType, 'other5xLinux64Guest');
    const old = ovfGuestFor('other5xlinux-64', 14);
    assert.equal(old.osType, 'other4xLinux64Guest');
    assert.equal(old.downgradedFrom, 'other5xlinux-64');
    assert.equal(ovfGuestFor('other5xlinux-64', 13).osType, 'other3xLinux64Guest');
  });

  it('derives unknown ids by VMware spelling rule, and says so', () => {
    assert.deepEqual(ovfGuestFor('debian13-64', 21), { osType: 'debian13_64Guest', cimId: 101, derived: true });
    assert.equal(ovfGuestFor('solaris11', 14).osType, 'solaris11Guest');
  });
});

describe('streaming bzip2 decoder', () => {
  const data = Buffer.concat([pseudoRandom(1_500_000, 5), Buffer.alloc(3_000_000), pseudoRandom(700_000, 6)]);
  const packed = bzip2(data);

  for (const chunk of [1, 4096, 65_536, 10 * 1024 * 1024]) {
    it(`decodes fed ${chunk} bytes at a time (blocks rewound until whole)`, async () => {
      if (chunk === 1) {
        // Byte-at-a-time over the whole file is slow; a smaller stream proves the rewind as well.
        const small = pseudoRandom(200_000, 9);
        assert.ok((await bunzip(bzip2(small), 1)).equals(small));
        return;
      }
      assert.ok((await bunzip(packed, chunk)).equals(data));
    });
  }

  it('decodes concatenated streams (pbzip2, lbzip2) and ignores zero padding after them', async () => {
    const a = pseudoRandom(100_000, 1);
    const b = Buffer.alloc(200_000, 7);
    const got = await bunzip(Buffer.concat([bzip2(a), bzip2(b), Buffer.alloc(512)]), 70_000);
    assert.ok(got.equals(Buffer.concat([a, b])));
  });

  it('fails on truncated input, damaged data and trailing garbage', async () => {
    await assert.rejects(bunzip(packed.subarray(0, packed.length - 50), 65_536), /ends early|truncated/);
    const damaged = Buffer.from(packed);
    damaged.fill(0x55, 2000, 2100);
    await assert.rejects(bunzip(damaged, 65_536), /damaged|checksum|CRC/i);
    await assert.rejects(bunzip(Buffer.concat([bzip2(Buffer.from('abc')), Buffer.from('garbage!')]), 65_536), /after the end/);
  });
});
