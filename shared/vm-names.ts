// Names of a VM folder and its files, as the engine makes them and main predicts them. They must survive every file system VMware runs on
// (Windows is the strictest) and stay short (docs/vmx.md#file-names: long names break tools).
import { safeFileName } from './file-names';
import { baseName, stripCompressionSuffix } from './source-names';

/** Longest file stem we make, in characters; `-flat.vmdk`/`-s001.vmdk` still fit easily. */
export const MAX_STEM_CHARS = 60;
const FALLBACK_STEM = 'vm';

/** A file and folder stem made from any user-given or file-derived name (the shared name rule). */
export function safeFileStem(name: string): string {
  return safeFileName(name, { maxChars: MAX_STEM_CHARS, fallback: FALLBACK_STEM });
}

/** The name a VM gets when the user gives none: `coreos_xen_image.vhd.bz2` → `coreos_xen_image`. */
export function defaultVmName(sourcePath: string): string {
  let file = baseName(sourcePath);
  for (let prev = ''; prev !== file; ) {
    prev = file;
    file = stripCompressionSuffix(file);
  }
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

/** What VMware shows as the VM's name: the name as given, without control characters, bounded. */
export function displayNameOf(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  const bounded = Array.from(clean).slice(0, 120).join('');
  return bounded === '' ? FALLBACK_STEM : bounded;
}
