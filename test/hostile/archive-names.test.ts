// Archives whose member names are many and long: Ferry keeps only counts and a few names cut
// short, so memory stays flat however many members there are, and the refusal stays short.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NameSample, shortName } from '../../worker/engine/sources/compressed/members';
import { writeManyMemberTar, writeManyMemberZip } from './many-members';
import { MAX_RSS_KB, ferryLimited, type LimitedRun } from './run';

const MAX_MESSAGE = 4096;
const TIMEOUT_MS = 180_000;

function refusal(run: LimitedRun): { code: string; message: string } {
  assert.ok(!run.timedOut, `finished within ${TIMEOUT_MS} ms`);
  const last = run.json.at(-1);
  assert.equal(last?.type, 'error', `an error event\n${run.stdout.slice(-1000)}\n${run.stderr.slice(-1000)}`);
  return { code: String(last.code), message: String(last.message) };
}

function assertSmall(run: LimitedRun, what: string): void {
  if (run.maxRssKb !== undefined) assert.ok(run.maxRssKb < MAX_RSS_KB, `${what} peaked at ${Math.round(run.maxRssKb / 1024)} MiB resident`);
}

describe('archives with very many, very long member names', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-many-members-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a tar of 200,000 members and no disk: E_NOT_A_DISK, a message under 4 KiB, flat memory', async () => {
    const tar = join(dir, 'many.tar');
    const count = 200_000;
    // The first names are 3,000 characters long (pax records), the rest about 200 (ustar prefix).
    writeManyMemberTar(tar, count, (i) => (i < 20 ? `${'long/'.repeat(600)}${i}.txt` : `${'p'.repeat(150)}/${String(i).padStart(8, '0')}-${'n'.repeat(41)}.txt`));
    const out = mkdtempSync(join(dir, 'out-'));
    const convert = await ferryLimited(['convert', tar, join(out, 'disk.vmdk'), '--json'], { timeoutMs: TIMEOUT_MS });
    assert.equal(convert.code, 2, convert.stderr);
    const { code, message } = refusal(convert);
    assert.equal(code, 'E_NOT_A_DISK');
    assert.ok(message.length <= MAX_MESSAGE, `the message is ${message.length} characters`);
    assert.match(message, /holds no disk image \(it has .+ and 199995 more\)/);
    assert.ok(message.includes('…'), 'long names are cut short');
    assertSmall(convert, 'convert');
    assert.deepEqual(readdirSync(out), []);

    const inspect = await ferryLimited(['inspect', tar], { timeoutMs: TIMEOUT_MS });
    assert.equal(inspect.code, 2);
    assert.ok(inspect.stderr.length <= MAX_MESSAGE + 512, `stderr is ${inspect.stderr.length} characters`);
    assertSmall(inspect, 'inspect');
  });

  it('a zip of 60,000 disk-like members: E_UNSUPPORTED naming a few, a message under 4 KiB, flat memory', async () => {
    const zip = join(dir, 'many.zip');
    const count = 60_000;
    writeManyMemberZip(zip, count, (i) => (i < 12 ? `${'x'.repeat(1000)}-${i}.vhd` : `${'d'.repeat(150)}/${String(i).padStart(8, '0')}-${'n'.repeat(40)}.vhd`));
    const out = mkdtempSync(join(dir, 'out-'));
    const convert = await ferryLimited(['convert', zip, join(out, 'disk.vmdk'), '--json'], { timeoutMs: TIMEOUT_MS });
    assert.equal(convert.code, 2, convert.stderr);
    const { code, message } = refusal(convert);
    assert.equal(code, 'E_UNSUPPORTED');
    assert.ok(message.length <= MAX_MESSAGE, `the message is ${message.length} characters`);
    assert.match(message, /holds 60000 disk images \(.+ and 59995 more\)/);
    assertSmall(convert, 'convert');
    assert.deepEqual(readdirSync(out), []);
  });
});

describe('NameSample and shortName', () => {
  it('a million names of 4 KiB each: five kept, each cut to 80 characters keeping its file name, the rest counted', () => {
    const sample = new NameSample();
    const folder = 'f'.repeat(4000);
    for (let i = 0; i < 1_000_000; i++) sample.add(`${folder}/disk-${i}.vhd`);
    const text = String(sample);
    assert.equal(sample.count, 1_000_000);
    assert.ok(text.length < 5 * 82 + 40, `${text.length} characters`);
    assert.match(text, /^f+…\/disk-0\.vhd, f+…\/disk-1\.vhd, .* and 999995 more$/);
    assert.equal(shortName('short.vhd'), 'short.vhd');
    assert.equal(shortName(`${'x'.repeat(200)}.vhd`).length, 80);
    assert.ok(shortName(`${'x'.repeat(200)}.vhd`).endsWith('x.vhd'));
  });
});
