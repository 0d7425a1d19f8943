// The CLI's first-boot flags: it reads the files they name (bounded, UTF-8 text) and hands their
// text on in the request; whatever breaks a rule of shared/first-boot.ts is a usage error.
import { readFileSync, statSync } from 'node:fs';
import { FIRST_BOOT_FILE_MAX, FIRST_BOOT_FLAGS, firstBootProblems, firstBootText, keyFileKeys } from '../shared/first-boot';
import { sayFirstBootProblem } from '../shared/first-boot-problems';
import type { FirstBoot } from '../shared/jobs';

type Values = Record<string, string | boolean | string[] | undefined>;

function readText(flag: string, path: string, fail: (message: string) => Error): string {
  const read = (): Buffer | string => {
    try {
      const st = statSync(path);
      if (!st.isFile()) return 'is not a file';
      if (st.size > FIRST_BOOT_FILE_MAX) return sayFirstBootProblem({ code: 'fileTooLarge', size: st.size, maxKiB: FIRST_BOOT_FILE_MAX / 1024 });
      return readFileSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return `cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`;
    }
  };
  const bytes = read();
  if (typeof bytes === 'string') throw fail(`${flag} ${path}: ${bytes}.`);
  const decoded = firstBootText(bytes);
  if ('problem' in decoded) throw fail(`${flag} ${path}: ${sayFirstBootProblem(decoded.problem)}.`);
  return decoded.text;
}

/** The public keys of one `--ssh-key` file (a .pub file or an authorized_keys list). */
function readKeys(path: string, fail: (message: string) => Error): string[] {
  const flag = FIRST_BOOT_FLAGS.sshKeys;
  const read = keyFileKeys(readText(flag, path, fail));
  if ('problem' in read) throw fail(`${flag} ${path}: ${read.key !== undefined ? `key ${read.key} ` : ''}${sayFirstBootProblem(read.problem)}.`);
  return read.keys;
}

/** The first-boot part of a request from the flags, or undefined when none was given. */
export function readFirstBoot(values: Values, fail: (message: string) => Error): FirstBoot | undefined {
  const out: FirstBoot = {};
  const files = values['ssh-key'];
  if (Array.isArray(files)) out.sshKeys = files.flatMap((f) => readKeys(f, fail));
  if (typeof values.hostname === 'string') out.hostname = values.hostname;
  if (typeof values.ignition === 'string') out.ignition = readText(FIRST_BOOT_FLAGS.ignition, values.ignition, fail);
  if (typeof values['cloud-init'] === 'string') out.cloudInit = readText(FIRST_BOOT_FLAGS.cloudInit, values['cloud-init'], fail);
  if (typeof values['cloud-init-meta'] === 'string') out.cloudInitMeta = readText(FIRST_BOOT_FLAGS.cloudInitMeta, values['cloud-init-meta'], fail);
  if (Object.keys(out).length === 0) return undefined;
  for (const key of ['ignition', 'cloudInit', 'cloudInitMeta'] as const) {
    if (out[key] !== undefined && out[key].trim() === '') throw fail(`${FIRST_BOOT_FLAGS[key]}: the file is empty.`);
  }
  const problems = firstBootProblems(out, FIRST_BOOT_FLAGS);
  if (problems.length) throw fail(problems.join(' '));
  return out;
}
