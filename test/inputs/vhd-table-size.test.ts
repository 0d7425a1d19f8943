// A dynamic VHD whose header sizes the block allocation table far beyond what the disk needs
// converts exactly as before, but says so; the tables real tools write never get that warning.
import assert from 'node:assert/strict';
import { copyFileSync, openSync, closeSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry, lastEvent } from '../support/cli';
import { tempDir } from '../support/tmp';
import { MiB, pseudoRandom, vhdChecksum, writeDynamicVhd } from '../support/vhd-writer';
import { assertIdentical } from './helpers';

const HEADER_AT = 512;
const WARNING = /sizes the block allocation table for \d+ blocks .* far more than the \d+ this .* disk needs.*Harmless/;

/** Rewrites the dynamic header's Max Table Entries (and its checksum), leaving the file's layout alone. */
function setMaxTableEntries(path: string, entries: number): void {
  const fd = openSync(path, 'r+');
  try {
    const h = Buffer.alloc(1024);
    readSync(fd, h, 0, 1024, HEADER_AT);
    h.writeUInt32BE(entries, 28);
    h.writeUInt32BE(vhdChecksum(h, 36), 36);
    writeSync(fd, h, 0, 1024, HEADER_AT);
  } finally {
    closeSync(fd);
  }
}

async function warningsOf(path: string): Promise<string[]> {
  const r = await ferry(['inspect', path, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return lastEvent(r).warnings as string[];
}

describe('Max Table Entries beyond what the disk needs', () => {
  // 16 MiB in 2 MiB blocks: 8 entries needed.
  const make = (dir: string, name: string, creatorApp = 'win '): string =>
    writeDynamicVhd(join(dir, name), { size: 16 * MiB, creatorApp, pieces: [{ offset: 3 * MiB, data: pseudoRandom(MiB, 5) }] }).path;

  it('far beyond (2^28 entries for 8 needed): converts byte-exact, with a warning that says what and where', async (t) => {
    const dir = tempDir(t);
    const honest = make(dir, 'honest.vhd');
    const lying = join(dir, 'lying.vhd');
    copyFileSync(honest, lying);
    setMaxTableEntries(lying, 2 ** 28);
    const warnings = await warningsOf(lying);
    const w = warnings.find((x) => WARNING.test(x));
    assert.ok(w, JSON.stringify(warnings));
    assert.match(w, /at offset 540/, 'names the field');
    const r = await ferry(['convert', lying, join(dir, 'out.vmdk'), '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok((lastEvent(r).warnings as string[]).some((x) => WARNING.test(x)));
    assertIdentical(honest, 'vpc', join(dir, 'out.vmdk'), 'vmdk');
  });

  it('what real tools write passes quietly: exact, one sector of entries, twice what is needed, Xen\'s room for 2 TiB', async (t) => {
    const dir = tempDir(t);
    for (const [entries, creator] of [
      [8, 'win '],
      [9, 'win '],
      [128, 'vpc '],
      [16, 'qemu'],
      [2 ** 41 / (2 * MiB), 'tap\0'],
    ] as const) {
      const path = make(dir, `ok-${entries}-${creator.replace(/[^a-z]/g, '')}.vhd`, creator);
      setMaxTableEntries(path, entries);
      assert.deepEqual((await warningsOf(path)).filter((x) => WARNING.test(x)), [], `${entries} entries from "${creator}"`);
    }
  });

  it('Xen\'s 2 TiB of room is only let pass for Xen, and only up to 2 TiB', async (t) => {
    const dir = tempDir(t);
    const hyperV = make(dir, 'win.vhd');
    setMaxTableEntries(hyperV, 2 ** 41 / (2 * MiB));
    assert.ok((await warningsOf(hyperV)).some((x) => WARNING.test(x)));
    const xen = make(dir, 'tap.vhd', 'tap\0');
    setMaxTableEntries(xen, 2 ** 41 / (2 * MiB) + 1);
    assert.ok((await warningsOf(xen)).some((x) => WARNING.test(x)));
  });
});
