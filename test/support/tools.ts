// Thin wrappers over the oracles nobody here wrote: qemu-img, qemu-io, vmdkinfo, vhdiinfo.
import { spawnSync } from 'node:child_process';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Ran {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs and insists on exit 0, with the tool's own words in the failure. */
export function runOk(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Ran {
  const r = run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

export interface QemuInfo {
  'virtual-size': number;
  format: string;
  'actual-size'?: number;
  'format-specific'?: { type: string; data: Record<string, unknown> };
}

export function qemuInfo(path: string, format?: string): QemuInfo {
  const args = ['info', '--output=json', ...(format ? ['-f', format] : []), path];
  return JSON.parse(runOk('qemu-img', args).stdout) as QemuInfo;
}

export type VpcSubformat = 'dynamic' | 'fixed';

/** `qemu-img create -f vpc`; `forceSize` makes qemu record the exact size (creator `qem2`). */
export function qemuCreateVpc(path: string, size: number, subformat: VpcSubformat, forceSize = false): void {
  runOk('qemu-img', ['create', '-q', '-f', 'vpc', '-o', `subformat=${subformat},force_size=${forceSize ? 'on' : 'off'}`, path, String(size)]);
}

/** `qemu-img convert -O vpc` of a raw file: qemu lays out the VHD (sequential blocks, zeros skipped). */
export function qemuConvertRawToVpc(raw: string, vhd: string, subformat: VpcSubformat, forceSize = false): void {
  runOk('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vpc', '-o', `subformat=${subformat},force_size=${forceSize ? 'on' : 'off'}`, raw, vhd]);
}

/** Runs qemu-io commands against an image (writes happen in the order given). */
export function qemuIo(path: string, format: string, commands: string[]): void {
  runOk('qemu-io', ['-f', format, ...commands.flatMap((c) => ['-c', c]), path]);
}

/**
 * `qemu-img compare`: exit 0 identical, 1 different. A size mismatch only warns (and compares the
 * extra part against zeros), so callers check virtual sizes separately.
 */
export function qemuCompare(a: string, aFormat: string, b: string, bFormat: string): Ran {
  return run('qemu-img', ['compare', '-f', aFormat, '-F', bFormat, a, b]);
}

export function qemuCheck(path: string, format = 'vmdk'): Ran {
  return run('qemu-img', ['check', '-f', format, path]);
}

export function vmdkinfo(path: string): Ran {
  return run('vmdkinfo', [path]);
}

export function vhdiinfo(path: string): Ran {
  return run('vhdiinfo', [path]);
}

/** "Media size : 1.0 MiB (1079296 bytes)" → 1079296, from vmdkinfo/vhdiinfo output. */
export function mediaSize(output: string): number | undefined {
  const m = /Media size\s*:\s*.*?\((\d+) bytes\)/.exec(output);
  return m ? Number(m[1]) : undefined;
}

/** One "Key : value" field of libyal tool output. */
export function libyalField(output: string, key: string): string | undefined {
  const re = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:\\s*(.*)$`, 'm');
  return re.exec(output)?.[1]?.trim();
}
