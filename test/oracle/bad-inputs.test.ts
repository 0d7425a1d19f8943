// Damaged or impossible VHDs: refused with exit 2, a stable code, a message that names the file,
// and nothing written; or, where the damage is survivable, converted with a warning.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry, lastEvent } from '../support/cli';
import { sha256File } from '../support/hash';
import { tempDir } from '../support/tmp';
import { MiB, SECTOR, pseudoRandom, patchBat, patchFooter, writeDynamicVhd, writeFixedVhd } from '../support/vhd-writer';

async function refused(dir: string, name: string, code: string, mentions: RegExp[] = []): Promise<void> {
  const source = join(dir, name);
  const hash = sha256File(source);
  const r = await ferry(['convert', source, join(dir, 'out.vmdk'), '--json']);
  assert.equal(r.code, 2, `exit 2 (got ${r.code}: ${r.stdout}${r.stderr})`);
  const ev = lastEvent(r);
  assert.equal(ev.type, 'error');
  assert.equal(ev.code, code, String(ev.message));
  assert.ok(String(ev.message).includes(source), 'the message names the file');
  for (const m of mentions) assert.match(String(ev.message), m);
  assert.deepEqual(readdirSync(dir), [name], 'nothing written beside it');
  assert.equal(sha256File(source), hash, 'the source is unchanged');
}

describe('damaged VHDs', () => {
  it('a BAT entry pointing past the end of the file: E_CORRUPT with the entry and offset', async (t) => {
    const dir = tempDir(t);
    const w = writeDynamicVhd(join(dir, 'd.vhd'), { size: 4 * MiB, pieces: [{ offset: 0, data: pseudoRandom(SECTOR, 1) }] });
    patchBat(join(dir, 'd.vhd'), w.tableOffset, 1, 0x00ffffff);
    await refused(dir, 'd.vhd', 'E_CORRUPT', [/BAT entry 1/]);
  });

  it('a BAT entry pointing into the file\'s own header: E_CORRUPT', async (t) => {
    const dir = tempDir(t);
    const w = writeDynamicVhd(join(dir, 'd.vhd'), { size: 4 * MiB, pieces: [{ offset: 0, data: pseudoRandom(SECTOR, 1) }] });
    patchBat(join(dir, 'd.vhd'), w.tableOffset, 0, 1);
    await refused(dir, 'd.vhd', 'E_CORRUPT');
  });

  it('a disk type that is neither fixed, dynamic nor differencing: E_UNSUPPORTED', async (t) => {
    const dir = tempDir(t);
    writeFixedVhd(join(dir, 'odd.vhd'), { size: MiB });
    patchFooter(join(dir, 'odd.vhd'), (f) => f.writeUInt32BE(5, 60));
    await refused(dir, 'odd.vhd', 'E_UNSUPPORTED', [/type 5/]);
  });

  it('a stated size beyond the 2040 GiB a VHD can hold: E_CORRUPT', async (t) => {
    const dir = tempDir(t);
    writeDynamicVhd(join(dir, 'huge.vhd'), { size: MiB, pieces: [] });
    patchFooter(join(dir, 'huge.vhd'), (f) => f.writeBigUInt64BE(BigInt(3 * 1024) * BigInt(1024 ** 3), 48));
    await refused(dir, 'huge.vhd', 'E_CORRUPT');
  });

  it('a size that is not whole sectors: E_CORRUPT', async (t) => {
    const dir = tempDir(t);
    writeDynamicVhd(join(dir, 'ragged.vhd'), { size: MiB, pieces: [] });
    patchFooter(join(dir, 'ragged.vhd'), (f) => f.writeBigUInt64BE(BigInt(MiB - 100), 48));
    await refused(dir, 'ragged.vhd', 'E_CORRUPT');
  });

  it('a dynamic disk whose BAT is too small for its size: E_CORRUPT', async (t) => {
    const dir = tempDir(t);
    writeDynamicVhd(join(dir, 'short.vhd'), { size: 4 * MiB, pieces: [] });
    patchFooter(join(dir, 'short.vhd'), (f) => f.writeBigUInt64BE(BigInt(64 * MiB), 48));
    await refused(dir, 'short.vhd', 'E_CORRUPT', [/entries/]);
  });

  it('a fixed disk whose only footer has a bad checksum: E_CORRUPT', async (t) => {
    const dir = tempDir(t);
    writeFixedVhd(join(dir, 'f.vhd'), { size: MiB, corruptFooterChecksum: true });
    await refused(dir, 'f.vhd', 'E_CORRUPT', [/checksum/]);
  });

  it('an empty file: E_NOT_A_DISK', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'empty.vhd'), '');
    await refused(dir, 'empty.vhd', 'E_NOT_A_DISK');
  });

  it('a file that merely ends in "conectix" garbage: refused, not converted', async (t) => {
    const dir = tempDir(t);
    const junk = pseudoRandom(4096, 5);
    junk.write('conectix', 4096 - 512, 'latin1');
    writeFileSync(join(dir, 'junk.vhd'), junk);
    const r = await ferry(['convert', join(dir, 'junk.vhd'), join(dir, 'out.vmdk'), '--json']);
    assert.equal(r.code, 2);
    assert.deepEqual(readdirSync(dir), ['junk.vhd']);
  });

  it('a fixed disk shorter than its footer says converts what is there, with a warning', async (t) => {
    const dir = tempDir(t);
    const data = pseudoRandom(2 * MiB, 6);
    writeFixedVhd(join(dir, 'cut.vhd'), { size: 2 * MiB, currentSize: 3 * MiB, pieces: [{ offset: 0, data }] });
    const r = await ferry(['convert', join(dir, 'cut.vhd'), join(dir, 'out.vmdk'), '--json']);
    assert.equal(r.code, 0, r.stdout);
    const result = lastEvent(r);
    assert.equal(result.virtualSize, 2 * MiB);
    assert.ok((result.warnings as string[]).some((w) => /3145728/.test(w)), JSON.stringify(result.warnings));
  });
});
