// Fixtures shared by the app's unit, contract and end-to-end tests: temporary folders, VHDs
// made with qemu-img/qemu-io, and qemu-img's byte-for-byte comparison.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './server';

export const THREAD = join(ROOT, 'out/main/thread.js');

/** A fresh folder removed after the test (or suite) that asked for it. */
export function tempDir(t: { after(fn: () => void): void }, label = 'ferry-app'): string {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A dynamic VHD of `size` with `data` bytes of 0x5a at the start and a second run at 16 MiB. */
export function makeVhd(path: string, opts: { size?: string; data?: string } = {}): string {
  execFileSync('qemu-img', ['create', '-q', '-f', 'vpc', '-o', 'subformat=dynamic', path, opts.size ?? '64M']);
  execFileSync('qemu-io', ['-f', 'vpc', '-c', `write -P 0x5a 0 ${opts.data ?? '1M'}`, '-c', 'write -P 0xa5 16M 512k', path], { stdio: 'ignore' });
  return path;
}

/** A VHD whose conversion takes long enough (a second or more) to be cancelled part-way. */
export function makeSlowVhd(path: string): string {
  return makeVhd(path, { size: '1G', data: '384M' });
}

/** qemu-img's verdict on whether two images hold the same guest-visible bytes. */
export function sameContent(a: string, aFormat: 'vpc' | 'vmdk', b: string, bFormat: 'vpc' | 'vmdk'): { same: boolean; output: string } {
  const r = spawnSync('qemu-img', ['compare', '-f', aFormat, '-F', bFormat, a, b], { encoding: 'utf8' });
  return { same: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

export function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}
