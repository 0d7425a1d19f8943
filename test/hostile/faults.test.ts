// Faults around a conversion, made for real where the machine allows: a file system that fills
// up mid-write (a small tmpfs), one that cannot be written (mounted read-only, or an immutable
// folder), a source truncated or deleted while it is read, SIGINT and SIGTERM at seeded random
// moments. Each must end with a clear message and nothing half-written; a finished run leaves only
// complete, verified files. And the source is only ever opened for reading: an immutable source and
// one on a read-only mount convert, and a spy on the fs module sees no write to any input path.
//
// Mounting needs root (or CAP_SYS_ADMIN); where it is refused those tests skip and say so. A full
// disk is also injected at the file layer (every job kind), which runs everywhere.
// FERRY_FAULT_SEED replays the signal timings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync, truncateSync, unlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { inspectDisk } from '../../worker/engine/inspect/inspect';
import { runJob } from '../../worker/engine/jobs/run-job';
import { FerryError, toErrorInfo } from '../../worker/engine/errors';
import { MiB, SECTOR, newUuid, pseudoRandom, writeDifferencingVhd, writeDynamicVhd, writeFixedVhd } from '../support/vhd-writer';
import { qemuCompare, runOk } from '../support/tools';
import { writeVhdx } from '../vhdx/vhdx-writer';
import { ferryLimited, snapshot, stackFrames, type LimitedRun } from './run';

const SEED = process.env.FERRY_FAULT_SEED ? Number(process.env.FERRY_FAULT_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;

function tempDir(t: TestContext, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ferry-fault-${label}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A raw image of `bytes` incompressible bytes: large enough that a conversion takes a while. */
function bigRaw(path: string, bytes: number): void {
  const fd = fs.openSync(path, 'w');
  try {
    for (let at = 0; at < bytes; at += 16 * MiB) fs.writeSync(fd, randomBytes(Math.min(16 * MiB, bytes - at)), 0, Math.min(16 * MiB, bytes - at), at);
  } finally {
    fs.closeSync(fd);
  }
}

function lastEvent(r: LimitedRun): Record<string, unknown> {
  const last = r.json[r.json.length - 1];
  assert.ok(last, `no JSON from ferry (exit ${r.code}, signal ${r.signal})\n${r.stderr}`);
  return last;
}

/** Refused with `code` and exit `exit`: one-line message, no stack, nothing left in `out`. */
function assertRefused(r: LimitedRun, code: string, exit: number, out: string, mentions?: RegExp): void {
  assert.ok(!r.timedOut, 'finished in time');
  const ev = lastEvent(r);
  assert.equal(ev.type, 'error', JSON.stringify(ev));
  assert.equal(ev.code, code, String(ev.message));
  assert.equal(r.code, exit);
  assert.ok(!String(ev.message).includes('\n'), 'one line');
  assert.doesNotMatch(String(ev.message), /Internal error/);
  if (mentions) assert.match(String(ev.message), mentions);
  assert.deepEqual(stackFrames(r.stdout + r.stderr), []);
  assert.deepEqual(readdirSync(out).filter((n) => n !== 'filler' && n !== 'lost+found'), [], 'nothing half-written left behind');
}

// ---------------------------------------------------------------------------------------------
// Mounts

function tryMount(dir: string, options: string): string | undefined {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || `exit ${r.status}`).trim();
}

function unmount(dir: string): void {
  if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
}

/** Runs `fn` on a fresh tmpfs; skips the test (saying why) where mounting is not permitted. */
async function withTmpfs(t: TestContext, options: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tmpfs-'));
  const refusal = tryMount(dir, options);
  if (refusal) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here (${refusal}); run as root to test a full or read-only file system for real`);
    return;
  }
  try {
    await fn(dir);
  } finally {
    unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

function chattr(flag: '+i' | '-i', path: string): boolean {
  return spawnSync('chattr', [flag, path]).status === 0;
}

// ---------------------------------------------------------------------------------------------

describe('faults at the destination', () => {
  it('no space left mid-write (a 256 MiB tmpfs filled once staging begins): exit 3, E_NO_SPACE, no staging left', async (t) => {
    const src = tempDir(t, 'nospace');
    const source = join(src, 'data.img');
    // Passes the free-space check (about 241 MiB needed, 256 MiB free), and is large enough that
    // the watcher below fills the disk long before the conversion could finish, even on a busy machine.
    bigRaw(source, 240 * MiB);
    const before = snapshot(src);
    await withTmpfs(t, 'size=256m', async (dest) => {
      // The moment the hidden staging folder appears, take every free byte that is left.
      let filled = 0;
      const watcher = watch(dest, (_event, name) => {
        if (filled || !name || !String(name).includes('.ferry-partial-')) return;
        const fd = fs.openSync(join(dest, 'filler'), 'w');
        const block = Buffer.alloc(MiB, 1);
        try {
          for (;;) filled += fs.writeSync(fd, block);
        } catch (err) {
          assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
        } finally {
          fs.closeSync(fd);
        }
      });
      try {
        const r = await ferryLimited(['convert', source, join(dest, 'disk.vmdk'), '--json']);
        assert.ok(filled > 0, 'the filler ran while staging existed');
        assertRefused(r, 'E_NO_SPACE', 3, dest, /no space left/);
        assert.deepEqual(readdirSync(dest), ['filler'], 'only the filler: no output, no staging folder');
      } finally {
        watcher.close();
      }
    });
    assert.deepEqual(snapshot(src), before, 'the source is unchanged');
  });

  // The same fault without a mount, so it is tested on machines that refuse one: every file the
  // engine creates gets a write budget, and the write that would pass it fails as a full disk does.
  for (const job of ['monolithicSparse', 'monolithicFlat', 'twoGbMaxExtentSparse', 'streamOptimized', 'vm', 'ova'] as const) {
    it(`no space left, injected at the file layer (${job}): E_NO_SPACE, nothing left, source unchanged`, async (t) => {
      const src = tempDir(t, 'enospc-src');
      const out = tempDir(t, 'enospc-out');
      const source = join(src, 'data.img');
      bigRaw(source, 24 * MiB);
      const before = snapshot(src);
      const full = injectNoSpace(6 * MiB);
      try {
        const request =
          job === 'vm'
            ? ({ kind: 'vm', source, destDir: out, subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false } as const)
            : job === 'ova'
              ? ({ kind: 'ova', source, output: join(out, 'x.ova'), verify: true, overwrite: false } as const)
              : ({ kind: 'convert', source, output: join(out, 'x.vmdk'), subformat: job, adapter: 'lsilogic', verify: true, overwrite: false } as const);
        await assert.rejects(runJob(request), (err: unknown) => {
          // What the CLI and the app show: the same mapping of the raised error.
          const info = toErrorInfo(err);
          assert.equal(info.code, 'E_NO_SPACE', info.message);
          assert.match(info.message, /no space left/i);
          assert.ok(info.message.startsWith(`${out}: `), `names the full destination: ${info.message}`);
          assert.ok(!info.message.includes('\n'));
          return true;
        });
      } finally {
        full.restore();
      }
      assert.ok(full.refused() > 0, 'the injected fault was hit');
      assert.deepEqual(readdirSync(out), [], 'nothing half-written left behind');
      assert.deepEqual(snapshot(src), before, 'the source is unchanged');
    });
  }

  it('a compressible disk larger than the free space still converts to streamOptimized (and an OVA)', async (t) => {
    const src = tempDir(t, 'squeeze');
    const source = join(src, 'text.img');
    writeFileSync(source, Buffer.alloc(32 * MiB, 'the same line of text, over and over\n'));
    await withTmpfs(t, 'size=8m', async (dest) => {
      const vmdk = await ferryLimited(['convert', source, join(dest, 'text.vmdk'), '--subformat', 'streamOptimized', '--json']);
      assert.equal(vmdk.code, 0, vmdk.stdout + vmdk.stderr);
      const ova = await ferryLimited(['ova', source, join(dest, 'text.ova'), '--json']);
      assert.equal(ova.code, 0, ova.stdout + ova.stderr);
      assert.deepEqual(readdirSync(dest).sort(), ['text.ova', 'text.vmdk']);
    });
  });

  it('a destination on a read-only mount: exit 3, E_PERMISSION, nothing written', async (t) => {
    const src = tempDir(t, 'rodest');
    const source = join(src, 'd.vhd');
    writeFixedVhd(source, { size: 2 * MiB, pieces: [{ offset: 0, data: pseudoRandom(64 * 1024, 1) }] });
    await withTmpfs(t, 'size=8m,ro', async (dest) => {
      const r = await ferryLimited(['convert', source, join(dest, 'disk.vmdk'), '--json']);
      assertRefused(r, 'E_PERMISSION', 3, dest, /permission denied/);
      const vm = await ferryLimited(['vm', source, dest, '--json']);
      assertRefused(vm, 'E_PERMISSION', 3, dest);
    });
  });

  it('an immutable destination folder (chattr +i, which binds root too): exit 3, E_PERMISSION', async (t) => {
    const src = tempDir(t, 'immdest');
    const source = join(src, 'd.vhd');
    writeFixedVhd(source, { size: 2 * MiB, pieces: [{ offset: 0, data: pseudoRandom(64 * 1024, 2) }] });
    const dest = tempDir(t, 'immdest-out');
    if (!chattr('+i', dest)) {
      t.skip('chattr +i is not available on this file system');
      return;
    }
    try {
      const r = await ferryLimited(['convert', source, join(dest, 'disk.vmdk'), '--json']);
      assertRefused(r, 'E_PERMISSION', 3, dest);
    } finally {
      chattr('-i', dest);
    }
  });
});

describe('faults at the source', () => {
  it('the source truncated while it is read: exit 2, E_CORRUPT saying it was truncated, nothing left', async (t) => {
    const dir = tempDir(t, 'trunc');
    const source = join(dir, 'big.img');
    bigRaw(source, 192 * MiB);
    const out = tempDir(t, 'trunc-out');
    let cut = false;
    const r = await ferryLimited(['convert', source, join(out, 'disk.vmdk'), '--json'], {
      onJson: (ev) => {
        // After the first progress event: from another process, as a failing download or a user would.
        if (!cut && ev.type === 'progress' && Number(ev.done) > 0) {
          cut = true;
          truncateSync(source, 32 * MiB);
        }
      },
    });
    assert.ok(cut, 'the source was truncated during the run');
    assertRefused(r, 'E_CORRUPT', 2, out, /truncated|end of the file/);
  });

  it('the source deleted while it is read: the open file still reads, so the run finishes and verifies', async (t) => {
    const dir = tempDir(t, 'unlink');
    const source = join(dir, 'big.img');
    bigRaw(source, 128 * MiB);
    const out = tempDir(t, 'unlink-out');
    let gone = false;
    const r = await ferryLimited(['convert', source, join(out, 'disk.vmdk'), '--json'], {
      onJson: (ev) => {
        if (!gone && ev.type === 'progress' && Number(ev.done) > 0) {
          gone = true;
          unlinkSync(source);
        }
      },
    });
    assert.ok(gone, 'the source was deleted during the run');
    // POSIX keeps an unlinked file's data for whoever holds it open (Windows refuses the delete).
    const ev = lastEvent(r);
    assert.equal(ev.type, 'result', JSON.stringify(ev));
    assert.equal(ev.verified, true);
    assert.deepEqual(readdirSync(out), ['disk.vmdk']);
  });
});

describe('cancellation', () => {
  /** The subformats whose writers must clean up after themselves, taken in turn. */
  const SUBFORMATS = ['monolithicSparse', 'monolithicFlat', 'streamOptimized', 'twoGbMaxExtentSparse'] as const;

  function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let x = Math.imul(a ^ (a >>> 15), 1 | a);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
  }

  it(`SIGINT and SIGTERM at seeded random moments: exit 130 and nothing left, or exit 0 with a finished disk (seed ${SEED})`, async (t) => {
    t.diagnostic(`replay with FERRY_FAULT_SEED=${SEED}`);
    const dir = tempDir(t, 'signal');
    const source = join(dir, 'big.img');
    bigRaw(source, 96 * MiB);
    const before = snapshot(dir);
    // How long a whole run takes here: the moments are drawn from [0, 1.2 × that].
    const probe = tempDir(t, 'signal-probe');
    const full = await ferryLimited(['convert', source, join(probe, 'disk.vmdk'), '--json'], { measure: false });
    assert.equal(full.code, 0, full.stderr);
    const rnd = mulberry32(SEED);
    const outcomes: string[] = [];
    for (let trial = 0; trial < 10; trial++) {
      const signal: NodeJS.Signals = trial % 2 === 0 ? 'SIGINT' : 'SIGTERM';
      const subformat = SUBFORMATS[trial % SUBFORMATS.length]!;
      const delay = Math.floor(rnd() * full.ms * 1.2);
      const out = tempDir(t, `signal-${trial}`);
      let timer: NodeJS.Timeout | undefined;
      const r = await ferryLimited(['convert', source, join(out, 'disk.vmdk'), '--subformat', subformat, '--json'], {
        measure: false,
        onSpawn: (pid) => {
          timer = setTimeout(() => {
            try {
              process.kill(pid, signal);
            } catch {
              // It already finished.
            }
          }, delay);
        },
      });
      clearTimeout(timer);
      const what = `trial ${trial}: ${signal} after ${delay} ms (${subformat})`;
      assert.ok(!r.timedOut, `${what}: ferry did not stop`);
      assert.deepEqual(stackFrames(r.stderr + r.stdout), [], what);
      const left = readdirSync(out);
      if (r.code === 130) {
        assert.equal(lastEvent(r).code, 'E_CANCELLED', what);
        assert.deepEqual(left, [], `${what}: cancelled, so nothing may be left`);
        outcomes.push(`${delay} ms: cancelled`);
      } else if (r.code === 0) {
        assert.equal(lastEvent(r).verified, true, what);
        assert.ok(left.length > 0 && left.every((n) => !n.includes('.ferry-partial-')), `${what}: only finished files (${left.join(', ')})`);
        outcomes.push(`${delay} ms: finished first`);
      } else {
        // Node's default action ends the process by the signal in two windows: before the CLI has
        // installed its handlers (node still starting: nothing written yet), and while node tears
        // down after the run finished (the disk is complete and in place). Either way, nothing half-written.
        assert.equal(r.signal, signal, `${what}: exit ${r.code}, signal ${r.signal}\n${r.stderr}`);
        if (left.length === 0) outcomes.push(`${delay} ms: ended while starting`);
        else {
          assert.ok(left.every((n) => !n.includes('.ferry-partial-')), `${what}: ended by the signal, so only finished files (${left.join(', ')})`);
          assert.equal(qemuCompare(source, 'raw', join(out, 'disk.vmdk'), 'vmdk').code, 0, `${what}: ended by the signal after finishing, so the disk must be whole`);
          outcomes.push(`${delay} ms: ended while exiting, disk whole`);
        }
      }
    }
    t.diagnostic(outcomes.join('; '));
    assert.deepEqual(snapshot(dir), before, 'the source is unchanged');
  });

  it(
    'a second SIGINT while cleaning up (an impatient Ctrl-C twice) still leaves nothing half-written',
    async (t) => {
      const dir = tempDir(t, 'twice');
      const source = join(dir, 'big.img');
      bigRaw(source, 96 * MiB);
      const out = tempDir(t, 'twice-out');
      let sent = false;
      let pid = 0;
      const r = await ferryLimited(['convert', source, join(out, 'disk.vmdk'), '--json'], {
        measure: false,
        onSpawn: (p) => (pid = p),
        onJson: (ev) => {
          if (!sent && ev.type === 'progress' && Number(ev.done) > 0) {
            sent = true;
            process.kill(pid, 'SIGINT');
            process.kill(pid, 'SIGINT');
          }
        },
      });
      assert.ok(sent);
      assert.equal(r.code, 130);
      assert.deepEqual(readdirSync(out), [], 'nothing left behind');
    },
  );
});

// ---------------------------------------------------------------------------------------------

/** Inputs of every kind the engine opens more than one file of, or reads through a patch. */
function makeInputs(dir: string): Array<{ name: string; source: string; files: string[] }> {
  const at = (n: string) => join(dir, n);
  const data = [{ offset: 0, data: pseudoRandom(256 * 1024, 3) }];
  const parentUuid = newUuid();
  writeDynamicVhd(at('parent.vhd'), { size: 4 * MiB, pieces: data, uuid: parentUuid });
  writeDifferencingVhd(at('child.vhd'), { size: 4 * MiB, parentUuid, parentName: 'parent.vhd', pieces: [{ offset: MiB, data: pseudoRandom(SECTOR * 8, 4) }] });
  writeVhdx(at('log.vhdx'), { virtualSize: 4 * MiB, blocks: new Map([[0, { state: 'full', data: pseudoRandom(MiB, 5) }]]) }, (img) => ({
    entries: [{ data: [img.layout.blockOffsets.get(0)!] }],
  }));
  writeFileSync(at('raw.img'), pseudoRandom(2 * MiB, 6));
  runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=monolithicFlat', at('raw.img'), at('flat.vmdk')]);
  runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', at('raw.img'), at('split.vmdk')]);
  writeFileSync(at('disk.img.gz'), gzipSync(pseudoRandom(MiB, 7)));
  return [
    { name: 'a differencing VHD chain', source: at('child.vhd'), files: [at('child.vhd'), at('parent.vhd')] },
    { name: 'a VHDX with a log to replay', source: at('log.vhdx'), files: [at('log.vhdx')] },
    { name: 'a flat VMDK (descriptor and extent)', source: at('flat.vmdk'), files: [at('flat.vmdk'), at('flat-flat.vmdk')] },
    { name: 'a split sparse VMDK', source: at('split.vmdk'), files: readdirSync(dir).filter((n) => n.startsWith('split')).map((n) => at(n)) },
    { name: 'a raw image', source: at('raw.img'), files: [at('raw.img')] },
    { name: 'a gzip-compressed raw image', source: at('disk.img.gz'), files: [at('disk.img.gz')] },
  ];
}

/**
 * Gives every file opened for writing through fs.promises a share of `budget` bytes; a write
 * past it fails with ENOSPC, as on a full file system.
 */
function injectNoSpace(budget: number): { restore: () => void; refused: () => number } {
  const orig = fs.promises.open;
  let left = budget;
  let refused = 0;
  const full = (syscall: string) => {
    refused++;
    return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
  };
  fs.promises.open = async function (this: unknown, ...args: Parameters<typeof orig>) {
    const handle = await orig.apply(this, args);
    if (!writes(args[1])) return handle;
    const write = handle.write.bind(handle) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
    const writev = handle.writev.bind(handle);
    const spend = (n: number, syscall: string) => {
      if (n > left) throw full(syscall);
      left -= n;
    };
    Object.assign(handle, {
      write: async (data: Buffer | string, ...rest: unknown[]) => {
        spend(typeof data === 'string' ? Buffer.byteLength(data) : typeof rest[1] === 'number' ? rest[1] : data.length, 'write');
        return write(data, ...rest);
      },
      writev: async (buffers: NodeJS.ArrayBufferView[], position?: number) => {
        spend(buffers.reduce((n, b) => n + b.byteLength, 0), 'writev');
        return writev(buffers, position);
      },
      writeFile: async () => {
        throw full('write');
      },
    });
    return handle;
  } as typeof orig;
  // A flat extent copied by the kernel: what fits is written, then the copy fails as a full disk does.
  const origCopy = fs.promises.copyFile;
  fs.promises.copyFile = async function (src: fs.PathLike, dest: fs.PathLike, mode?: number) {
    const size = (await fs.promises.stat(src)).size;
    if (size > left) {
      await origCopy(src, dest, mode);
      await fs.promises.truncate(dest, left);
      left = 0;
      throw full('copy_file_range');
    }
    left -= size;
    return origCopy(src, dest, mode);
  } as typeof origCopy;
  return {
    restore: () => {
      fs.promises.open = orig;
      fs.promises.copyFile = origCopy;
    },
    refused: () => refused,
  };
}

type FsCall = { fn: string; path: string; flags: string };

const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND;

function writes(flags: unknown): boolean {
  if (flags === undefined || flags === null) return false;
  if (typeof flags === 'number') return (flags & WRITE_FLAGS) !== 0;
  return /[wa+]/.test(String(flags));
}

/**
 * Wraps every fs entry point that can change a file (opening for writing, writing, truncating,
 * renaming, removing, changing modes and times) and records each call with its path(s).
 */
function spyOnFs(): { calls: FsCall[]; restore: () => void } {
  const calls: FsCall[] = [];
  const restores: Array<() => void> = [];
  const wrap = <T extends object>(obj: T, name: string, pathArgs: number[], flagArg?: number): void => {
    const rec = obj as unknown as Record<string, (...a: unknown[]) => unknown>;
    const orig = rec[name];
    if (typeof orig !== 'function') return;
    rec[name] = function (this: unknown, ...args: unknown[]) {
      for (const i of pathArgs) {
        const p = args[i];
        if (typeof p === 'string' || p instanceof URL || Buffer.isBuffer(p)) {
          calls.push({ fn: name, path: resolve(String(p instanceof URL ? p.pathname : p)), flags: flagArg === undefined ? 'mutates' : String(args[flagArg] ?? 'r') });
        }
      }
      return orig.apply(this, args);
    };
    restores.push(() => (rec[name] = orig));
  };
  for (const [obj, sync] of [
    [fs.promises, false],
    [fs, false],
    [fs, true],
  ] as const) {
    const s = sync ? 'Sync' : '';
    wrap(obj, `open${s}`, [0], 1);
    for (const n of ['writeFile', 'appendFile', 'truncate', 'unlink', 'rm', 'rmdir', 'chmod', 'chown', 'utimes', 'lutimes', 'copyFile', 'cp', 'symlink', 'link', 'mkdir']) {
      wrap(obj, `${n}${s}`, n === 'copyFile' || n === 'cp' || n === 'symlink' || n === 'link' ? [1] : [0]);
    }
    wrap(obj, `rename${s}`, [0, 1]);
  }
  wrap(fs, 'createWriteStream', [0]);
  return { calls, restore: () => restores.forEach((r) => r()) };
}

describe('the source is only ever read', () => {
  it('the engine never opens an input for writing, nor writes, renames or removes an input path', async (t) => {
    const dir = tempDir(t, 'spy');
    const inputs = makeInputs(dir);
    const before = snapshot(dir);
    const spy = spyOnFs();
    const outcomes: string[] = [];
    try {
      for (const input of inputs) {
        const out = tempDir(t, 'spy-out');
        await inspectDisk(input.source);
        for (const subformat of ['monolithicSparse', 'monolithicFlat'] as const) {
          await runJob({ kind: 'convert', source: input.source, output: join(out, `${subformat}.vmdk`), subformat, adapter: 'lsilogic', verify: true, overwrite: false });
        }
        await runJob({ kind: 'vm', source: input.source, destDir: out, subformat: 'monolithicSparse', zeroCopy: false, verify: true, overwrite: false });
        // Outputs named exactly like the inputs, with --overwrite: refused, never written.
        for (const target of input.files) {
          try {
            await runJob({ kind: 'convert', source: input.source, output: target, subformat: 'monolithicSparse', adapter: 'lsilogic', verify: true, overwrite: true });
            outcomes.push(`${input.name}: wrote over ${target}`);
          } catch (err) {
            assert.ok(err instanceof FerryError, String(err));
            assert.equal(err.code, 'E_USAGE', err.message);
          }
        }
      }
    } finally {
      spy.restore();
    }
    assert.deepEqual(outcomes, []);
    const inputPaths = new Set(inputs.flatMap((i) => i.files.map((f) => resolve(f))));
    const opened = spy.calls.filter((c) => c.fn.startsWith('open') && inputPaths.has(c.path));
    assert.ok(opened.length >= inputPaths.size, `every input was opened through the spied fs (${opened.length} opens)`);
    const offending = spy.calls.filter((c) => inputPaths.has(c.path) && (c.flags === 'mutates' || (c.fn.startsWith('open') && writes(c.flags))));
    assert.deepEqual(offending, [], 'no call that can change an input path');
    assert.deepEqual(snapshot(dir), before, 'every input is byte-identical');
  });

  it('an immutable source (chattr +i: no one may open it for writing, root included) converts', async (t) => {
    const dir = tempDir(t, 'immsrc');
    const inputs = makeInputs(dir);
    const files = inputs.flatMap((i) => i.files);
    if (!files.every((f) => chattr('+i', f))) {
      files.forEach((f) => chattr('-i', f));
      t.skip('chattr +i is not available on this file system');
      return;
    }
    try {
      for (const input of inputs) {
        const out = tempDir(t, 'immsrc-out');
        const r = await ferryLimited(['convert', input.source, join(out, 'disk.vmdk'), '--json']);
        assert.equal(lastEvent(r).type, 'result', `${input.name}: ${r.stdout}${r.stderr}`);
      }
    } finally {
      files.forEach((f) => chattr('-i', f));
    }
  });

  it('a source on a read-only mount converts, chains and extents included', async (t) => {
    await withTmpfs(t, 'size=64m', async (mnt) => {
      const inputs = makeInputs(mnt);
      const remount = spawnSync('mount', ['-o', 'remount,ro', mnt], { encoding: 'utf8' });
      assert.equal(remount.status, 0, remount.stderr);
      for (const input of inputs) {
        const out = tempDir(t, 'rosrc-out');
        const r = await ferryLimited(['convert', input.source, join(out, 'disk.vmdk'), '--json']);
        assert.equal(lastEvent(r).type, 'result', `${input.name}: ${r.stdout}${r.stderr}`);
        const i = await ferryLimited(['inspect', input.source]);
        assert.equal(i.code, 0, `${input.name}: ${i.stderr}`);
      }
    });
  });
});
