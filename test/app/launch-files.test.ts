// Disks handed over by the OS: argv parsing, second instances, and the renderer-ready latch.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { LaunchQueue, diskFiles, launchFilesFromSecondInstance, pathsFromArgv } from '../../electron/launch-files';
import { DISK_EXTENSIONS, PACKED_EXTENSIONS, SOURCE_EXTENSIONS, dialogExtensions, isSourceName } from '../../shared/source-names';
import { isDiskLikeName } from '../../worker/engine/sources/compressed/members';
import { RAW_EXTENSIONS } from '../../worker/engine/sources/raw/raw';

const existing = new Set(['/disks/a.vhd', '/disks/b.VHDX', '/disks/with space.vhd', '/home/me/rel.vhd', '/disks/notes.txt']);
const isFile = (p: string): boolean => existing.has(p);

describe('pathsFromArgv', () => {
  test('packaged: everything after the executable; switches and macOS process serials skipped', () => {
    const argv = ['/opt/Ferry/ferry', '--no-sandbox', '-psn_0_12345', '/disks/a.vhd', '--original-process-start-time=1', '/disks/b.VHDX'];
    assert.deepEqual(pathsFromArgv(argv, { isPackaged: true, isFile }), ['/disks/a.vhd', '/disks/b.VHDX']);
  });

  test('development: `electron .` puts the app path second, which is not a disk', () => {
    assert.deepEqual(pathsFromArgv(['/x/electron', '.', '/disks/a.vhd'], { isPackaged: false, isFile }), ['/disks/a.vhd']);
    assert.deepEqual(pathsFromArgv(['/x/electron', '/disks/a.vhd'], { isPackaged: false, isFile }), []);
  });

  test('file: URLs from a %U desktop entry become paths', () => {
    const url = pathToFileURL('/disks/with space.vhd').href;
    assert.ok(url.includes('%20'));
    assert.deepEqual(pathsFromArgv(['ferry', url], { isPackaged: true, isFile }), ['/disks/with space.vhd']);
    assert.deepEqual(pathsFromArgv(['ferry', 'file://remote-host/x.vhd'], { isPackaged: true, isFile }), []);
  });

  test('only existing files with a disk extension, resolved against the working directory, each once', () => {
    const argv = ['ferry', 'rel.vhd', '/disks/notes.txt', '/disks/missing.vhd', '/disks/a.vhd', '/disks/../disks/a.vhd'];
    assert.deepEqual(pathsFromArgv(argv, { isPackaged: true, isFile, cwd: '/home/me' }), ['/home/me/rel.vhd', '/disks/a.vhd']);
  });

  test('by default it asks the file system', () => {
    assert.deepEqual(pathsFromArgv(['ferry', resolve(__filename)], { isPackaged: true }), []);
    assert.deepEqual(diskFiles(['/definitely/not/here.vhd']), []);
  });
});

describe('the names Ferry takes as a source', () => {
  test('disks, raw images, compressed files and archives in any case; ISOs, machine configurations and the rest are not', () => {
    for (const name of ['a.vhd', 'B.VHDX', 'c.avhdx', 'd.avhd', 'e.vmdk', 'f.img', 'g.raw', 'h.dd', 'i.bin', 'j.vhd.gz', 'k.tgz', 'l.tar.xz', 'm.ZIP', 'n.ova', 'o.vhd.bz2', 'p.tbz2', 'q.txz']) {
      assert.ok(isSourceName(name), name);
    }
    // Recognised and refused by the engine with the tool to unpack them: better than a refused drop.
    for (const name of ['r.vhd.zst', 's.7z', 't.rar']) assert.ok(isSourceName(name), name);
    for (const name of ['vm.vmx', 'vm.vmcx', 'vm.vmc', 'vm.xml']) assert.ok(isSourceName(name), `${name}: a whole machine`);
    for (const name of ['notes.txt', 'cd.iso', 'vhd', '.vhd', '/disks/.vmdk/', 'C:\\x.vhd\\']) assert.ok(!isSourceName(name), name);
    assert.ok(isSourceName('C:\\Disks\\Server.vhdx'));
    assert.deepEqual(dialogExtensions(), SOURCE_EXTENSIONS.map((e) => e.slice(1)));
  });

  test('the list holds every name the engine looks for inside an archive, and every raw image name', () => {
    for (const ext of [...DISK_EXTENSIONS, ...PACKED_EXTENSIONS].filter((e) => e !== '.ova')) assert.ok(isDiskLikeName(`x${ext}`), `the engine reads ${ext}`);
    for (const ext of RAW_EXTENSIONS) assert.ok((DISK_EXTENSIONS as readonly string[]).includes(ext), ext);
    for (const ext of ['.vhd', '.vhdx', '.avhd', '.avhdx', '.vmdk', '.img', '.raw', '.bin', '.dd', '.gz', '.gzip', '.bz2', '.bzip2', '.xz', '.zip', '.tar', '.tgz', '.tbz', '.tbz2', '.txz']) {
      assert.ok(isDiskLikeName(`x${ext}`) && isSourceName(`x${ext}`), ext);
    }
  });

  test('launch files with other names are left out', () => {
    const files = new Set(['/d/a.ova', '/d/b.iso', '/d/c.vmx', '/d/d.vhdx.xz', '/d/e.txt']);
    assert.deepEqual(diskFiles([...files], { isFile: (p) => files.has(p) }), ['/d/a.ova', '/d/c.vmx', '/d/d.vhdx.xz']);
  });
});

describe('second instance', () => {
  test('prefers the files the second instance parsed itself', () => {
    const argv = ['ferry', '--original-process-start-time=1', '/disks/b.VHDX'];
    assert.deepEqual(launchFilesFromSecondInstance({ files: ['/disks/a.vhd'] }, argv, { isPackaged: true, isFile }), ['/disks/a.vhd']);
  });

  test('re-checks them, and falls back to argv when the extra data is missing or odd', () => {
    const argv = ['ferry', '/disks/b.VHDX'];
    assert.deepEqual(launchFilesFromSecondInstance({ files: ['/etc/shadow', '/disks/missing.vhd'] }, argv, { isPackaged: true, isFile }), []);
    assert.deepEqual(launchFilesFromSecondInstance(undefined, argv, { isPackaged: true, isFile }), ['/disks/b.VHDX']);
    assert.deepEqual(launchFilesFromSecondInstance({ files: [1, 2] }, argv, { isPackaged: true, isFile }), ['/disks/b.VHDX']);
  });
});

describe('LaunchQueue', () => {
  test('holds files until the renderer is ready, then delivers them once; later ones go straight through', () => {
    const delivered: string[][] = [];
    const queue = new LaunchQueue((paths) => delivered.push(paths));
    queue.push(['/a.vhd']);
    queue.push(['/b.vhd', '/a.vhd']);
    assert.deepEqual(delivered, []);
    queue.markReady();
    assert.deepEqual(delivered, [['/a.vhd', '/b.vhd']]);
    queue.markReady();
    assert.equal(delivered.length, 1, 'a second ready does not deliver again');
    queue.push(['/c.vhd']);
    assert.deepEqual(delivered.at(-1), ['/c.vhd']);
    queue.push([]);
    assert.equal(delivered.length, 2);
  });

  test('a reloading renderer gets the files that arrived while it was away', () => {
    const delivered: string[][] = [];
    const queue = new LaunchQueue((paths) => delivered.push(paths));
    queue.markReady();
    queue.markNotReady();
    queue.push(['/d.vhd']);
    assert.deepEqual(delivered, []);
    queue.markReady();
    assert.deepEqual(delivered, [['/d.vhd']]);
  });
});
