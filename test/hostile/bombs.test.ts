// Decompression bombs: a download that unpacks to more than the drive holds stops with E_NO_SPACE
// while a reserve is still free (min(256 MiB, 2 % of the volume)), naming the folder and how much
// was unpacked; free space is looked at while writing, not only up front.
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { createGzip, gzipSync } from 'node:zlib';
import { FerryError } from '../../worker/engine/errors';
import { SpaceGuard, reserveFor, type VolumeSpace } from '../../worker/engine/sources/compressed/space-guard';
import { ferryLimited } from './run';
import { withTmpfs } from '../support/tmp';

const MiB = 1024 * 1024;

/** A gzip file of `bytes` non-zero bytes (so they take real space), whose last member states 0 bytes. */
async function writeBomb(path: string, bytes: number): Promise<void> {
  const block = Buffer.alloc(MiB, 0x5a);
  async function* data(): AsyncGenerator<Buffer> {
    for (let n = 0; n < bytes; n += MiB) yield block;
  }
  await pipeline(Readable.from(data()), createGzip({ level: 1 }), createWriteStream(path));
  // A second, empty gzip member: the file's last ISIZE says 0, so no up-front check can see it coming.
  await pipeline(Readable.from([gzipSync(Buffer.alloc(0))]), createWriteStream(path, { flags: 'a' }));
}


describe('decompression bombs', () => {
  it('SpaceGuard stops before free space falls under the reserve, saying where and how much', async () => {
    const total = 10_000 * MiB;
    let free = 1_000 * MiB;
    const looks: number[] = [];
    const guard = new SpaceGuard('/dest', '/dest/.x.ferry-partial-1', 'x.img.gz', async (): Promise<VolumeSpace> => {
      looks.push(free);
      return { free, total };
    });
    const reserve = reserveFor(total);
    assert.equal(reserve, 200 * MiB, '2 % of 10,000 MiB');
    assert.equal(reserveFor(1_000_000 * MiB), 256 * MiB, 'at most 256 MiB');
    let thrown: unknown;
    try {
      for (;;) {
        await guard.admit(MiB);
        free -= MiB; // the write lands
      }
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown instanceof FerryError, String(thrown));
    assert.equal(thrown.code, 'E_NO_SPACE');
    assert.ok(free >= reserve, `stopped with ${free / MiB} MiB free, above the ${reserve / MiB} MiB reserve`);
    assert.ok(free <= reserve + 16 * MiB, `but not long before it (${free / MiB} MiB free)`);
    assert.match(thrown.message, /^\/dest: not enough free space to unpack x\.img\.gz: stopped after unpacking [\d.]+ MiB \(\d+ bytes\)/);
    assert.ok(looks.length < 100, `looked ${looks.length} times, not once a chunk`);
  });

  it('up front: a stated size that does not fit above the reserve is refused before writing', async () => {
    const guard = new SpaceGuard('/dest', '/dest/.x', 'x.img.gz', async () => ({ free: 300 * MiB, total: 100_000 * MiB }));
    await assert.rejects(guard.expect(100 * MiB), (err: FerryError) => err.code === 'E_NO_SPACE' && /needs at least 100 MiB, and 256 MiB more are kept free/.test(err.message));
    await guard.expect(40 * MiB);
  });

  it('a gzip that unpacks to more than its drive holds: E_NO_SPACE (exit 3) with the reserve still free, nothing left', async (t) => {
    const dest = withTmpfs(t, '96m');
    if (!dest) return;
    const src = mkdtempSync(join(tmpdir(), 'ferry-bomb-'));
    t.after(() => rmSync(src, { recursive: true, force: true }));
    const bomb = join(src, 'bomb.img.gz');
    await writeBomb(bomb, 512 * MiB);
    const s = statfsSync(dest);
    const reserve = reserveFor(Number(s.blocks) * Number(s.bsize));
    let minFree = Infinity;
    const watch = setInterval(() => {
      const now = statfsSync(dest);
      minFree = Math.min(minFree, Number(now.bavail) * Number(now.bsize));
    }, 2);
    let run;
    try {
      run = await ferryLimited(['convert', bomb, join(dest, 'out.vmdk'), '--json'], { timeoutMs: 120_000 });
    } finally {
      clearInterval(watch);
    }
    const last = run.json.at(-1);
    assert.equal(last?.code, 'E_NO_SPACE', run.stdout + run.stderr);
    assert.equal(run.code, 3);
    assert.match(String(last.message), new RegExp(`^${dest}: not enough free space to unpack bomb\\.img\\.gz: stopped after unpacking .+ MiB`));
    assert.ok(minFree >= reserve, `free space never fell under the ${reserve} byte reserve (lowest seen: ${minFree})`);
    assert.deepEqual(readdirSync(dest), [], 'the scratch copy is gone');
  });
});
