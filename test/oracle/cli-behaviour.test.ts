// The `ferry convert` command as scripts use it: JSON lines, exit codes, --no-verify,
// --overwrite, refusing to write over its input, leaving nothing behind, fresh identities.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ferry, lastEvent, type CliRun } from '../support/cli';
import { sha256File } from '../support/hash';
import { assertGeometry, assertOutputHoldsTruth, rawOf, type Truth } from '../support/oracle';
import { tempDir } from '../support/tmp';
import { qemuCompare } from '../support/tools';
import { KiB, MiB, chsBytes, chsForSectors, pseudoRandom, writeDynamicVhd } from '../support/vhd-writer';
import { descriptorText, parseDescriptorText } from '../support/vmdk-inspect';

const truth: Truth = {
  size: 6 * MiB + 1024,
  pieces: [
    { offset: 0, data: pseudoRandom(300 * KiB, 7) },
    { offset: 5 * MiB, data: pseudoRandom(MiB, 8) },
  ],
};

function events(r: CliRun, type: string): Array<Record<string, unknown>> {
  return r.json.filter((e) => e.type === type);
}

function assertJsonLines(r: CliRun): void {
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.equal(r.json.length, lines.length, `every stdout line is one JSON object:\n${r.stdout}`);
}

describe('ferry convert (CLI)', () => {
  const dir = tempDir({ after }, 'ferry-cli');
  const source = join(dir, 'src.vhd');
  let raw: string;
  let sourceHash: string;
  before(() => {
    writeDynamicVhd(source, { size: truth.size, pieces: truth.pieces, blockSize: 512 * KiB });
    raw = rawOf(truth, join(dir, 'truth.raw'));
    sourceHash = sha256File(source);
  });

  it('--json prints progress lines then one result line; verification runs by default', async (t) => {
    const out = tempDir(t);
    const r = await ferry(['convert', source, join(out, 'disk.vmdk'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assertJsonLines(r);
    const result = lastEvent(r);
    assert.equal(result.type, 'result');
    assert.equal(result.verified, true);
    assert.equal(result.virtualSize, truth.size);
    assert.equal(result.subformat, 'monolithicSparse');
    assert.deepEqual(result.files, [join(out, 'disk.vmdk')]);
    const progress = events(r, 'progress');
    for (const phase of ['converting', 'verifying']) {
      const ps = progress.filter((p) => p.phase === phase);
      assert.ok(ps.length > 0, `${phase} progress reported`);
      const done = ps.map((p) => Number(p.done));
      assert.deepEqual(done, [...done].sort((a, b) => a - b), `${phase} progress never goes back`);
      assert.equal(done[done.length - 1], truth.size, `${phase} ends at the whole disk`);
      assert.ok(ps.every((p) => p.total === truth.size && typeof p.rate === 'number'));
    }
    assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat: 'monolithicSparse', truth, raw });
  });

  it('--no-verify skips the verification pass and still writes the right bytes', async (t) => {
    const out = tempDir(t);
    const r = await ferry(['convert', source, join(out, 'disk.vmdk'), '--subformat', 'streamOptimized', '--no-verify', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lastEvent(r).verified, false);
    assert.deepEqual(events(r, 'progress').filter((p) => p.phase === 'verifying'), [], 'no verifying phase');
    assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat: 'streamOptimized', truth, raw });
  });

  it('the human form prints a summary on stdout and exits 0', async (t) => {
    const out = tempDir(t);
    const r = await ferry(['convert', source, join(out, 'disk.vmdk')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /disk\.vmdk/);
    assert.doesNotMatch(r.stdout, /^\{/m);
  });

  for (const [flags, subformat] of [
    [['--type', 'fixed'], 'monolithicFlat'],
    [['--type', 'fixed', '--split'], 'twoGbMaxExtentFlat'],
    [['--split'], 'twoGbMaxExtentSparse'],
    [['--type', 'dynamic'], 'monolithicSparse'],
  ] as const) {
    it(`${flags.join(' ')} picks ${subformat}`, async (t) => {
      const out = tempDir(t);
      const r = await ferry(['convert', source, join(out, 'disk.vmdk'), ...flags, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lastEvent(r).subformat, subformat);
      assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat, truth, raw });
    });
  }

  for (const adapter of ['ide', 'buslogic', 'lsilogic'] as const) {
    it(`--adapter ${adapter} writes ddb.adapterType and the geometry of that adapter`, async (t) => {
      const out = tempDir(t);
      const r = await ferry(['convert', source, join(out, 'disk.vmdk'), '--adapter', adapter, '--subformat', 'monolithicFlat']);
      assert.equal(r.code, 0, r.stderr);
      assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat: 'monolithicFlat', truth, raw, adapter });
    });
  }

  it('the default adapter is lsilogic', async (t) => {
    const out = tempDir(t);
    assert.equal((await ferry(['convert', source, join(out, 'disk.vmdk')])).code, 0);
    assertGeometry(parseDescriptorText(descriptorText(join(out, 'disk.vmdk'))), 'lsilogic', truth.size / 512);
  });

  it('every run writes a fresh CID, ddb.uuid and ddb.longContentID', async (t) => {
    const out = tempDir(t);
    const ids = [];
    for (const name of ['one.vmdk', 'two.vmdk']) {
      assert.equal((await ferry(['convert', source, join(out, name)])).code, 0);
      const d = parseDescriptorText(descriptorText(join(out, name)));
      ids.push({ cid: d.cid, uuid: d.ddb['ddb.uuid'], long: d.ddb['ddb.longContentID'] });
    }
    assert.notEqual(ids[0]!.cid, ids[1]!.cid);
    assert.notEqual(ids[0]!.uuid, ids[1]!.uuid);
    assert.notEqual(ids[0]!.long, ids[1]!.long);
  });

  it('an existing output is refused without --overwrite: exit 3, E_EXISTS, file untouched', async (t) => {
    const out = tempDir(t);
    const target = join(out, 'disk.vmdk');
    writeFileSync(target, 'precious');
    const r = await ferry(['convert', source, target, '--json']);
    assert.equal(r.code, 3);
    const ev = lastEvent(r);
    assert.equal(ev.type, 'error');
    assert.equal(ev.code, 'E_EXISTS');
    assert.match(String(ev.message), /disk\.vmdk/);
    assert.equal(typeof ev.hint, 'string');
    assert.equal(readFileSync(target, 'utf8'), 'precious');
    assert.deepEqual(readdirSync(out), ['disk.vmdk'], 'nothing else written');
  });

  it('an existing extent file of a split output is refused too', async (t) => {
    const out = tempDir(t);
    writeFileSync(join(out, 'disk-s001.vmdk'), 'precious');
    const r = await ferry(['convert', source, join(out, 'disk.vmdk'), '--split', '--json']);
    assert.equal(r.code, 3);
    assert.equal(lastEvent(r).code, 'E_EXISTS');
    assert.match(String(lastEvent(r).message), /disk-s001\.vmdk/);
    assert.deepEqual(readdirSync(out), ['disk-s001.vmdk']);
  });

  it('--overwrite replaces an existing output', async (t) => {
    const out = tempDir(t);
    const target = join(out, 'disk.vmdk');
    writeFileSync(target, 'old');
    const r = await ferry(['convert', source, target, '--overwrite', '--subformat', 'monolithicFlat', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat: 'monolithicFlat', truth, raw });
  });

  it('--overwrite of an earlier conversion gives a disk with a new identity', async (t) => {
    const out = tempDir(t);
    const target = join(out, 'disk.vmdk');
    assert.equal((await ferry(['convert', source, target])).code, 0);
    const first = parseDescriptorText(descriptorText(target)).cid;
    assert.equal((await ferry(['convert', source, target, '--overwrite'])).code, 0);
    assert.notEqual(parseDescriptorText(descriptorText(target)).cid, first);
    assertOutputHoldsTruth({ dir: out, name: 'disk.vmdk', subformat: 'monolithicSparse', truth, raw });
  });

  it('an output equal to the source is refused, even with --overwrite', async (t) => {
    const d = tempDir(t);
    const copy = join(d, 'same.vhd');
    copyFileSync(source, copy);
    const hash = sha256File(copy);
    for (const extra of [[], ['--overwrite']]) {
      const r = await ferry(['convert', copy, copy, '--json', ...extra]);
      assert.notEqual(r.code, 0);
      assert.ok(r.code === 1 || r.code === 3, `a usage or I/O refusal (got ${r.code})`);
      assert.equal(lastEvent(r).type, 'error');
      assert.match(String(lastEvent(r).message), /same\.vhd/);
    }
    assert.equal(sha256File(copy), hash);
    assert.deepEqual(readdirSync(d), ['same.vhd']);
  });

  it('a flat extent name that would land on the source is refused (source "x-flat.vmdk", output "x.vmdk")', async (t) => {
    const d = tempDir(t);
    const disguised = join(d, 'x-flat.vmdk'); // a VHD under a VMDK-looking name: detection is by content
    copyFileSync(source, disguised);
    const hash = sha256File(disguised);
    const r = await ferry(['convert', disguised, join(d, 'x.vmdk'), '--type', 'fixed', '--overwrite', '--json']);
    assert.notEqual(r.code, 0);
    assert.equal(lastEvent(r).type, 'error');
    assert.equal(sha256File(disguised), hash);
    assert.deepEqual(readdirSync(d), ['x-flat.vmdk']);
  });

  it('output names with spaces, accents and CJK characters work, and the descriptor names the real files', async (t) => {
    const out = tempDir(t);
    const name = 'disque é 日本.vmdk';
    const r = await ferry(['convert', source, join(out, name), '--type', 'fixed', '--split', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assertOutputHoldsTruth({ dir: out, name, subformat: 'twoGbMaxExtentFlat', truth, raw });
  });

  it('an output name holding a double quote (which the descriptor cannot express) is refused before writing, as a usage error', async (t) => {
    const out = tempDir(t);
    const r = await ferry(['convert', source, join(out, 'we"ird.vmdk'), '--type', 'fixed', '--json']);
    assert.equal(r.code, 1, JSON.stringify(lastEvent(r)));
    assert.equal(lastEvent(r).code, 'E_USAGE');
    assert.deepEqual(readdirSync(out), []);
  });

  it('an output path that is an existing folder is refused as such (E_EXISTS), without --overwrite', async (t) => {
    const out = tempDir(t);
    mkdirSync(join(out, 'taken.vmdk'));
    const r = await ferry(['convert', source, join(out, 'taken.vmdk'), '--json']);
    assert.equal(r.code, 3);
    assert.equal(lastEvent(r).code, 'E_EXISTS');
    assert.deepEqual(readdirSync(out), ['taken.vmdk']);
  });

  it('an output path that is an existing folder is refused before any work, even with --overwrite', async (t) => {
    const out = tempDir(t);
    mkdirSync(join(out, 'taken.vmdk'));
    const r = await ferry(['convert', source, join(out, 'taken.vmdk'), '--overwrite', '--json']);
    assert.ok(r.code === 1 || r.code === 3, `a usage or I/O refusal (got ${r.code}: ${JSON.stringify(lastEvent(r))})`);
    assert.doesNotMatch(String(lastEvent(r).message), /ferry-partial/, 'the message names the user\'s path, not the staging folder');
    assert.equal(events(r, 'progress').length, 0, 'refused before converting');
    assert.deepEqual(readdirSync(out), ['taken.vmdk']);
  });

  it('--vhd-size current|chs overrides the creator rule for the converted size', async (t) => {
    const out = tempDir(t);
    const vpc = join(out, 'vpc.vhd');
    const geometry = chsForSectors((4 * MiB) / 512);
    writeDynamicVhd(vpc, { size: 4 * MiB, geometry, creatorApp: 'vpc ', pieces: [] });
    const sizes: Record<string, unknown> = {};
    for (const rule of ['auto', 'current', 'chs']) {
      const r = await ferry(['convert', vpc, join(out, `${rule}.vmdk`), '--vhd-size', rule, '--json']);
      assert.equal(r.code, 0, r.stdout);
      sizes[rule] = lastEvent(r).virtualSize;
    }
    assert.deepEqual(sizes, { auto: chsBytes(geometry), current: 4 * MiB, chs: chsBytes(geometry) });
  });

  it('a source that is not a disk: exit 2, E_NOT_A_DISK, nothing written', async (t) => {
    const d = tempDir(t);
    writeFileSync(join(d, 'notes.txt'), 'hello, this is not a disk\n'.repeat(100));
    const r = await ferry(['convert', join(d, 'notes.txt'), join(d, 'out.vmdk'), '--json']);
    assert.equal(r.code, 2);
    assert.equal(lastEvent(r).code, 'E_NOT_A_DISK');
    assert.deepEqual(readdirSync(d), ['notes.txt']);
  });

  it('a source that does not exist: exit 2, message names it', async (t) => {
    const d = tempDir(t);
    const r = await ferry(['convert', join(d, 'nowhere.vhd'), join(d, 'out.vmdk'), '--json']);
    assert.equal(r.code, 2);
    assert.match(String(lastEvent(r).message), /nowhere\.vhd/);
    assert.deepEqual(readdirSync(d), []);
  });

  it('a VHD whose footers are both damaged: exit 2, E_CORRUPT, nothing written', async (t) => {
    const d = tempDir(t);
    const bad = join(d, 'bad.vhd');
    writeDynamicVhd(bad, { size: MiB, pieces: [], corrupt: { eofFooterChecksum: true, copyFooterChecksum: true } });
    const r = await ferry(['convert', bad, join(d, 'out.vmdk'), '--json']);
    assert.equal(r.code, 2);
    assert.equal(lastEvent(r).code, 'E_CORRUPT');
    assert.match(String(lastEvent(r).message), /bad\.vhd/);
    assert.deepEqual(readdirSync(d), ['bad.vhd']);
  });

  for (const args of [
    ['convert', 'only-one-arg.vhd'],
    ['convert', 'a.vhd', 'b.vmdk', '--subformat', 'vmfsThin'],
    ['convert', 'a.vhd', 'b.vmdk', '--adapter', 'pvscsi'],
    ['convert', 'a.vhd', 'b.vmdk', '--bogus'],
    ['convert', 'a.vhd', 'b.vmdk', '--subformat', 'monolithicFlat', '--split'],
    ['convert', 'a.vhd', 'b.vmdk', '--subformat', 'streamOptimized', '--split'],
    ['convert', 'a.vhd', 'b.vmdk', '--subformat', 'monolithicSparse', '--type', 'fixed'],
    ['convert', 'a.vhd', 'b.vmdk', '--subformat', 'twoGbMaxExtentFlat', '--type', 'dynamic', '--split'],
    ['frobnicate'],
  ]) {
    it(`usage error exits 1: ferry ${args.join(' ')}`, async () => {
      const r = await ferry([...args, '--json']);
      assert.equal(r.code, 1);
      assert.equal(lastEvent(r).code, 'E_USAGE');
    });
  }

  it('no arguments: the usage on stderr, exit 1; --help: the usage on stdout, exit 0', async () => {
    const none = await ferry([]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /ferry convert <source>/);
    const help = await ferry(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /ferry convert <source>/);
  });

  it('--type and --split may restate what --subformat says', async (t) => {
    const out = tempDir(t);
    const r = await ferry(['convert', source, join(out, 'disk.vmdk'), '--subformat', 'twoGbMaxExtentSparse', '--type', 'dynamic', '--split', '--no-verify', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lastEvent(r).subformat, 'twoGbMaxExtentSparse');
  });

  it('the destination folder missing: an I/O error (exit 3) that names it, and no folder created', async (t) => {
    const d = tempDir(t);
    const r = await ferry(['convert', source, join(d, 'no', 'such', 'disk.vmdk'), '--json']);
    assert.equal(r.code, 3);
    assert.equal(lastEvent(r).code, 'E_IO');
    assert.match(String(lastEvent(r).message), /no\/such: the destination folder does not exist/);
    assert.deepEqual(readdirSync(d), []);
  });

  it('cancelling with SIGINT mid-conversion exits 130 and leaves nothing behind', async (t) => {
    const d = tempDir(t);
    const big = join(d, 'big.vhd');
    const size = 96 * MiB;
    writeDynamicVhd(big, { size, pieces: [{ offset: 0, data: pseudoRandom(size, 99) }] });
    mkdirSync(join(d, 'out'));
    const { spawn } = await import('node:child_process');
    const { FERRY_BIN } = await import('../support/cli');
    const child = spawn(process.execPath, [FERRY_BIN, 'convert', big, join(d, 'out', 'disk.vmdk'), '--subformat', 'streamOptimized', '--json']);
    let stdout = '';
    let signalled = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (!signalled && /"done":[1-9]/.test(stdout)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.ok(signalled, 'progress was reported before the end');
    const last = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    if (last.type === 'result') {
      t.diagnostic('the conversion finished before the signal arrived; cancellation not exercised');
      return;
    }
    assert.equal(code, 130);
    assert.equal(last.code, 'E_CANCELLED');
    assert.deepEqual(readdirSync(join(d, 'out')), [], 'no output, no staging folder');
  });

  it('a conversion leaves the source file untouched (same hash and modification time)', async (t) => {
    const out = tempDir(t);
    const before = statSync(source).mtimeMs;
    const hash = sha256File(source);
    assert.equal((await ferry(['convert', source, join(out, 'disk.vmdk'), '--type', 'fixed'])).code, 0);
    assert.equal(sha256File(source), hash);
    assert.equal(statSync(source).mtimeMs, before);
    assert.equal(qemuCompare(raw, 'raw', join(out, 'disk.vmdk'), 'vmdk').code, 0);
  });

  it('after all the runs above, the source is byte-identical', () => {
    assert.equal(sha256File(source), sourceHash);
  });
});
