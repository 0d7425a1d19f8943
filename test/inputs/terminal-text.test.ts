// Text from inside a file never drives the terminal: the CLI's text output has no control
// characters (C0 but its own line breaks, DEL, C1) and no bidi overrides or isolates, whatever a
// partition name or archive member name holds; --json keeps the exact strings.
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import * as tar from 'tar-stream';
import { ferry, lastEvent } from '../support/cli';
import { gptPieces } from '../support/partitions';
import { tempDir } from '../support/tmp';
import { MiB, pseudoRandom, writeFixedVhd } from '../support/vhd-writer';
import { writeManyMemberTar } from '../hostile/many-members';

/** Anything a terminal could act on, except the line breaks the CLI itself writes. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** What JSON.stringify leaves raw (C0 it escapes itself). */
const RAW_IN_JSON = /[\u001b\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const HOSTILE = '\u001b]0;owned\u0007\u001b[2J\u202eevil\u009b1m';

function assertPrintable(text: string, what: string): void {
  const m = UNSAFE.exec(text);
  assert.equal(m, null, `${what} holds U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`);
}

describe('text from inside a file is printable on a terminal, exact in JSON', () => {
  it('a GPT partition name with escape sequences and a bidi override (inspect)', async (t) => {
    const dir = tempDir(t);
    const size = 8 * MiB;
    const pieces = gptPieces(size, {
      diskGuid: '01234567-89ab-cdef-0123-456789abcdef',
      partitions: [{ typeGuid: '0fc63daf-8483-4772-8e79-3d69d8477de4', uniqueGuid: '66666666-7777-8888-9999-aaaaaaaaaaaa', firstLba: 2048, lastLba: 14000, name: HOSTILE }],
    });
    const vhd = join(dir, 'gpt.vhd');
    writeFixedVhd(vhd, { size, pieces });

    const text = await ferry(['inspect', vhd]);
    assert.equal(text.code, 0, text.stderr);
    assertPrintable(text.stdout, 'inspect');
    assert.match(text.stdout, /"\]0;owned\[2Jevil1m"/, 'the name is shown without its control characters');

    const json = await ferry(['inspect', vhd, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(RAW_IN_JSON.exec(json.stdout), null, 'no raw control or bidi character in the JSON text');
    const info = lastEvent(json) as { partitions: { partitions: Array<{ name?: string }> } };
    assert.equal(info.partitions.partitions[0]?.name, HOSTILE, 'the exact name in JSON');
  });

  it('a tar member name with escape sequences, in an error and in inspect', async (t) => {
    const dir = tempDir(t);
    // No disk inside: the refusal lists the member.
    const empty = join(dir, 'none.tar');
    writeManyMemberTar(empty, 1, () => `${HOSTILE}.txt`);
    const refused = await ferry(['convert', empty, join(dir, 'out.vmdk')]);
    assert.equal(refused.code, 2);
    assertPrintable(refused.stderr, 'the error');
    assert.match(refused.stderr, /\]0;owned\[2Jevil1m\.txt/);
    const refusedJson = await ferry(['convert', empty, join(dir, 'out.vmdk'), '--json']);
    assert.equal(RAW_IN_JSON.exec(refusedJson.stdout), null);
    assert.ok(String(lastEvent(refusedJson).message).includes(`${HOSTILE}.txt`), 'the exact name in JSON');

    // A disk inside: inspect names the member.
    const packed = join(dir, 'disk.tar');
    const pack = tar.pack();
    const done = pipeline(pack, createWriteStream(packed));
    pack.entry({ name: `${HOSTILE}.img` }, pseudoRandom(MiB, 3));
    pack.finalize();
    await done;
    const text = await ferry(['inspect', packed]);
    assert.equal(text.code, 0, text.stderr);
    assertPrintable(text.stdout, 'inspect');
    assert.match(text.stdout, /disk is member "\]0;owned\[2Jevil1m\.img"/);
    const json = await ferry(['inspect', packed, '--json']);
    assert.equal((lastEvent(json).compression as { member: string }).member, `${HOSTILE}.img`);
  });

  it('the printable text keeps ordinary Unicode', async (t) => {
    const dir = tempDir(t);
    const size = 8 * MiB;
    const name = 'root ünïcode 日本 ✓';
    writeFixedVhd(join(dir, 'u.vhd'), { size, pieces: gptPieces(size, { diskGuid: '01234567-89ab-cdef-0123-456789abcdef', partitions: [{ typeGuid: '0fc63daf-8483-4772-8e79-3d69d8477de4', uniqueGuid: '66666666-7777-8888-9999-aaaaaaaaaaaa', firstLba: 2048, lastLba: 14000, name }] }) });
    const text = await ferry(['inspect', join(dir, 'u.vhd')]);
    assert.ok(text.stdout.includes(`"${name}"`), text.stdout);
  });
});
