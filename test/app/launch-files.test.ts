// Disks handed over by the OS: argv parsing, second instances, and the renderer-ready latch.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { LaunchQueue, diskFiles, launchFilesFromSecondInstance, pathsFromArgv } from '../../electron/launch-files';

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
