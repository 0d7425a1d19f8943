// electron-builder, offline: the configuration against its schema and our rules, the icons it
// points at, and a real `--dir` package made against a stub Electron (no download), which
// catches bad `files` globs, a missing main entry and what ends up in the asar.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../harness/server';

// Internal paths of app-builder-lib 26.x (pinned in package-lock), as read from that package's sources.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: object | null): Promise<Record<string, any>>;
  validateConfiguration(config: object, logger: object): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => object };

const resources = join(ROOT, 'build-resources');

function pngSize(buf: Buffer): { width: number; height: number } {
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('electron-builder configuration', () => {
  let config: Record<string, any>;
  before(async () => {
    config = await getConfig(ROOT, null, null);
  });

  test('passes electron-builder’s own schema', async () => {
    await validateConfiguration(config, new DebugLogger(false));
  });

  test('a bad key is caught by that schema (the check is real)', async () => {
    await assert.rejects(validateConfiguration({ ...config, fileAssociations: [{ ext: 'vhd', bogus: true }] }, new DebugLogger(false)), /bogus|additional/i);
  });

  test('targets: NSIS on Windows, DMG and zip on macOS, AppImage and deb on Linux', () => {
    assert.equal(config.win.target, 'nsis');
    assert.deepEqual(config.mac.target, ['dmg', 'zip']);
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.equal(config.nsis.perMachine, true, 'NSIS registers file associations only per machine');
    assert.deepEqual(config.linux.executableArgs, ['%F']);
  });

  test('.vhd, .vhdx, .vmc and .vmcx each get their own file association with the document icon', () => {
    const fa = config.fileAssociations as { ext: unknown; icon: string; mimeType: string; role: string }[];
    assert.deepEqual(fa.map((a) => a.ext), ['vhd', 'vhdx', 'vmc', 'vmcx']);
    assert.equal((fa[3] as { rank?: string }).rank, 'Alternate', 'a .vmcx stays Hyper-V Manager\'s by default');
    for (const a of fa) {
      assert.equal(typeof a.ext, 'string', 'one extension per entry');
      assert.equal(a.role, 'Viewer');
      assert.match(a.mimeType, /^application\/x-(vhdx?|virtualpc-vmc|hyperv-vmcx)$/);
      statSync(join(resources, `${a.icon}.ico`));
      statSync(join(resources, `${a.icon}.icns`));
    }
  });

  test('fuses close Node mode, NODE_OPTIONS, the inspector, and load the app only from a checked asar', () => {
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  test('the icons exist in every format, at the sizes each OS wants', () => {
    for (const name of ['icon', 'vhd']) {
      const ico = readFileSync(join(resources, `${name}.ico`));
      assert.equal(ico.readUInt16LE(2), 1, 'an icon resource');
      const count = ico.readUInt16LE(4);
      const sizes = Array.from({ length: count }, (_, i) => ico.readUInt8(6 + 16 * i) || 256);
      assert.deepEqual(sizes, [16, 24, 32, 48, 64, 128, 256]);
      for (let i = 0; i < count; i++) {
        const [length, offset] = [ico.readUInt32LE(6 + 16 * i + 8), ico.readUInt32LE(6 + 16 * i + 12)];
        assert.equal(pngSize(ico.subarray(offset, offset + length)).width, sizes[i]);
      }
      const icns = readFileSync(join(resources, `${name}.icns`));
      assert.equal(icns.subarray(0, 4).toString('latin1'), 'icns');
      assert.equal(icns.readUInt32BE(4), icns.length);
      const types: string[] = [];
      for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) types.push(icns.subarray(at, at + 4).toString('latin1'));
      for (const t of ['ic07', 'ic08', 'ic09', 'ic10']) assert.ok(types.includes(t), `${name}.icns has ${t}`);
    }
    assert.deepEqual(pngSize(readFileSync(join(resources, 'icon.png'))), { width: 1024, height: 1024 });
    for (const file of readdirSync(join(resources, 'icons'))) {
      const n = Number(/^(\d+)x\1\.png$/.exec(file)?.[1]);
      assert.deepEqual(pngSize(readFileSync(join(resources, 'icons', file))), { width: n, height: n }, file);
    }
  });
});

describe('packaging an unpacked app against a stub Electron (electron-builder --linux --dir)', () => {
  let work: string;
  let appDir: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'ferry-package-'));
    const stub = join(work, 'electron-stub');
    mkdirSync(stub);
    writeFileSync(join(stub, 'electron'), '#!/bin/sh\necho "stub electron"\n');
    chmodSync(join(stub, 'electron'), 0o755);
    const electronVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
    writeFileSync(join(stub, 'version'), `v${electronVersion}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { build, Platform } = require('electron-builder') as typeof import('electron-builder');
    const fileConfig = await getConfig(ROOT, null, null);
    await build({
      projectDir: ROOT,
      targets: Platform.LINUX.createTarget('dir'),
      publish: 'never',
      config: {
        electronDist: stub,
        electronVersion,
        // Fuses are flipped inside the real binary; the stub has none.
        electronFuses: null,
        directories: { ...fileConfig.directories, output: join(work, 'dist') },
      } as never,
    });
    appDir = join(work, 'dist', 'linux-unpacked');
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  test('makes the executable and an asar with the built app, the engine’s runtime dependencies, and nothing else', () => {
    statSync(join(appDir, 'ferry'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const asar = require('@electron/asar') as { listPackage(p: string, o: object): string[]; extractFile(p: string, f: string): Buffer };
    const archive = join(appDir, 'resources', 'app.asar');
    const files = asar.listPackage(archive, {}).map((f) => f.replace(/\\/g, '/'));
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string; desktopName: string; dependencies: Record<string, string> };
    for (const needed of [`/${pkg.main}`, '/out/main/thread.js', '/out/preload/index.js', '/out/renderer/index.html']) {
      assert.ok(files.includes(needed), `${needed} is packed`);
    }
    assert.equal(pkg.main, 'out/main/index.js');
    assert.equal(pkg.desktopName, 'ferry.desktop');
    for (const dep of Object.keys(pkg.dependencies ?? {})) assert.ok(files.includes(`/node_modules/${dep}/package.json`), `${dep} is packed`);
    assert.ok(files.some((f) => /^\/out\/renderer\/assets\/.+\.js$/.test(f)));
    const unwanted = files.filter((f) => /\.map$|^\/(test|renderer|electron|shared|worker|scripts|build-resources)\/|^\/node_modules\/(react|react-dom|zustand|electron|vite)\//.test(f));
    assert.deepEqual(unwanted, []);
    // The native addon, where this machine built it: unpacked, since a .node loads from a real file.
    if (existsSync(join(ROOT, 'out/native/ferry_native.node'))) statSync(join(appDir, 'resources', 'app.asar.unpacked', 'out', 'native', 'ferry_native.node'));
  });
});
