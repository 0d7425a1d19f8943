// The pieces of an OVA and of unpacking, in process: ustar headers read back by Python's
// tarfile and GNU tar (including a size over 8 GiB, in a sparse archive), the manifest digest
// by hardware version, the vmx → vSphere guest id and CIM number mapping with its fallbacks,
// and the streaming bzip2 decoder fed in awkward chunk sizes, concatenated streams and
// truncated input.
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { createBunzip2 } from '../../worker/engine/sources/compressed/bzip2';
import { CIM_OS, GUEST_TABLE, ovfGuestFor } from '../../worker/engine/ova/guest-os';
import { manifestAlgorithm, renderManifest } from '../../worker/engine/ova/ovf';
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

  it('writes a size past 8 GiB as GNU tar does: base-256 under the GNU magic; smaller ones stay POSIX', () => {
    const big = 9 * 1024 * 1024 * 1024 + 123;
    const h = ustarHeader('disk-disk1.vmdk', big, 1_700_000_000);
    assert.equal(h.toString('latin1', 257, 265), 'ustar  \u0000');
    assert.equal(h[124], 0x80);
    assert.equal(h.readBigUInt64BE(128), BigInt(big));
    assert.deepEqual([...h.subarray(125, 128)], [0, 0, 0]);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    assert.equal(Number.parseInt(h.toString('latin1', 148, 154), 8), sum);
    const small = ustarHeader('a.ovf', 8 * 1024 * 1024 * 1024 - 1, 0);
    assert.equal(small.toString('latin1', 257, 265), 'ustar\u000000');
    assert.equal(small.toString('latin1', 124, 135), '77777777777');
  });

  it('GNU tar lists a 9 GiB member at its size (a sparse archive: no data is written)', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-ustar-big-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const big = 9 * 1024 * 1024 * 1024 + 123;
    const archive = join(dir, 'big.ova');
    const fd = openSync(archive, 'w');
    try {
      const ovf = Buffer.from('<Envelope/>\n');
      const head = Buffer.concat([ustarHeader('big.ovf', ovf.length, 1_700_000_000), ovf, padding(ovf.length), ustarHeader('big-disk1.vmdk', big, 1_700_000_000)]);
      writeSync(fd, head, 0, head.length, 0);
      const end = head.length + big + padding(big).length;
      ftruncateSync(fd, end + trailer(end).length);
    } finally {
      closeSync(fd);
    }
    assert.ok(statSync(archive).blocks * 512 < 1024 * 1024, 'the test archive must stay sparse');
    const listing = runOk('tar', ['-tvf', archive], { timeoutMs: 300_000 }).stdout.trim().split('\n');
    assert.equal(listing.length, 2, listing.join('\n'));
    assert.match(listing[1]!, new RegExp(`\\s${big}\\s.*\\sbig-disk1\\.vmdk$`));
  });

  it('refuses names a ustar header cannot hold', () => {
    assert.throws(() => ustarHeader('x'.repeat(101), 1, 0));
    assert.throws(() => ustarHeader('dir/x.vmdk', 1, 0));
  });
});

describe('OVA manifest', () => {
  it("uses the digest VMware's mkova.sh picks by hardware version: SHA-1 to 12, SHA-256 for 13–14, SHA-512 from 15", () => {
    const got = [4, 7, 10, 11, 12, 13, 14, 15, 17, 19, 21, 22].map((v) => `${v}:${manifestAlgorithm(v)}`);
    assert.deepEqual(got, ['4:sha1', '7:sha1', '10:sha1', '11:sha1', '12:sha1', '13:sha256', '14:sha256', '15:sha512', '17:sha512', '19:sha512', '21:sha512', '22:sha512']);
  });

  it('writes one `ALG(name)= hex` line per file', () => {
    assert.equal(renderManifest('sha1', [{ name: 'a.ovf', digest: 'ab' }, { name: 'a-disk1.vmdk', digest: 'cd' }]), 'SHA1(a.ovf)= ab\nSHA1(a-disk1.vmdk)= cd\n');
    assert.equal(renderManifest('sha512', [{ name: 'x.ovf', digest: 'ef' }]), 'SHA512(x.ovf)= ef\n');
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

  it('names the DMTF CIM_OperatingSystem number, not the positional table one lower from Windows Server 2012 on', () => {
    assert.equal(ovfGuestFor('windows9-64', 14).cimId, 121);
    assert.equal(ovfGuestFor('windows11-64', 21).cimId, 121);
    assert.equal(ovfGuestFor('windows9srv-64', 14).cimId, 117);
    assert.equal(ovfGuestFor('windows2019srvnext-64', 19).cimId, 117);
    assert.equal(ovfGuestFor('windows8srv-64', 14).cimId, 113);
    assert.equal(ovfGuestFor('windows8-64', 14).cimId, 115);
    assert.equal(ovfGuestFor('windows7-64', 14).cimId, 105);
    assert.equal(ovfGuestFor('ubuntu-64', 14).cimId, 94);
    assert.equal(ovfGuestFor('debian11-64', 19).cimId, 96);
    assert.equal(ovfGuestFor('rhel8-64', 14).cimId, 80);
    assert.equal(ovfGuestFor('centos8-64', 14).cimId, 107);
    assert.equal(ovfGuestFor('freebsd-64', 14).cimId, 78);
    assert.equal(ovfGuestFor('other5xlinux-64', 19).cimId, 101);
    assert.equal(ovfGuestFor('other-64', 14).cimId, 102);
    assert.equal(ovfGuestFor('other', 14).cimId, 1);
    assert.equal(CIM_OS.win2012r2, 116);
  });

  it("falls back, id by id, to the newest one the hardware version's hosts know", () => {
    const at = (id: string, hw: number) => ovfGuestFor(id, hw).osType;
    assert.equal(at('windows11-64', 21), 'windows11_64Guest');
    assert.equal(at('windows11-64', 20), 'windows9_64Guest');
    assert.equal(at('windows11-64', 10), 'windows8_64Guest');
    assert.equal(at('windows2022srvnext-64', 21), 'windows2022srvNext_64Guest');
    assert.equal(at('windows2022srvnext-64', 19), 'windows2019srvNext_64Guest');
    assert.equal(at('windows2022srvnext-64', 17), 'windows2019srv_64Guest');
    assert.equal(at('windows2022srvnext-64', 14), 'windows9Server64Guest');
    assert.equal(at('windows2022srvnext-64', 10), 'windows8Server64Guest');
    assert.equal(at('debian12-64', 21), 'debian12_64Guest');
    assert.equal(at('debian12-64', 19), 'debian11_64Guest');
    assert.equal(at('debian12-64', 14), 'debian10_64Guest');
    assert.equal(at('debian12-64', 11), 'debian8_64Guest');
    assert.equal(at('rhel9-64', 17), 'rhel8_64Guest');
    assert.equal(at('rhel9-64', 13), 'rhel7_64Guest');
    assert.equal(at('other5xlinux-64', 18), 'other5xLinux64Guest');
    assert.equal(at('other5xlinux-64', 17), 'other4xLinux64Guest');
    assert.deepEqual(ovfGuestFor('windows11-64', 19), { osType: 'windows9_64Guest', cimId: 121, downgradedFrom: 'windows11-64' });
    assert.equal(ovfGuestFor('windows11-64', 21).downgradedFrom, undefined);
  });

  it('every id in the table, at every hardware version, resolves to one that version knows', () => {
    const byOsType = new Map(Object.values(GUEST_TABLE).map((e) => [e.osType, e]));
    for (const [id, entry] of Object.entries(GUEST_TABLE)) {
      if (entry.sinceHw !== undefined) assert.ok(entry.fallback !== undefined && GUEST_TABLE[entry.fallback], `${id}: an id with a first version needs a fallback in the table`);
      for (let hw = 4; hw <= 22; hw++) {
        const got = byOsType.get(ovfGuestFor(id, hw).osType);
        assert.ok(got, `${id} at ${hw}`);
        assert.ok(got.sinceHw === undefined || got.sinceHw <= hw, `${id} at ${hw} names ${got.osType}, which came with ${got.sinceHw}`);
      }
    }
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
