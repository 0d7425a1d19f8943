// The names of the files Ferry takes as a source: what a drop, a launch file and the open
// dialog accept. The engine recognises a file by its content; the name only decides whether
// the app lets the user hand it over (and, for raw images, whether it is read as one).

/** Disks and disk images the engine opens. ISO images are not among them: they are not disks. */
export const DISK_EXTENSIONS = ['.vhd', '.vhdx', '.avhd', '.avhdx', '.vmdk', '.img', '.raw', '.dd', '.bin'] as const;

/** Compressed files and archives the engine unpacks; an .ova is a tar holding the VMDK. */
export const PACKED_EXTENSIONS = ['.gz', '.gzip', '.bz2', '.bzip2', '.xz', '.zip', '.tar', '.tgz', '.tbz', '.tbz2', '.txz', '.ova'] as const;

/**
 * Formats the engine recognises but does not unpack: accepted so the user reads its answer
 * (which tool unpacks them) instead of a refused drop.
 */
export const REFUSED_PACKED_EXTENSIONS = ['.zst', '.7z', '.rar'] as const;

/** Whole-machine configurations: Virtual PC, Hyper-V (2016+ binary, 2008–2012 R2 XML exports), VMware. */
export const MACHINE_EXTENSIONS = ['.vmc', '.vmcx', '.xml', '.vmx'] as const;

export const SOURCE_EXTENSIONS: readonly string[] = [...DISK_EXTENSIONS, ...PACKED_EXTENSIONS, ...REFUSED_PACKED_EXTENSIONS, ...MACHINE_EXTENSIONS];

/** Whether a file name (or path) ends in an extension Ferry takes as a source, in any case. */
export function isSourceName(name: string): boolean {
  const base = (name.split(/[/\\]/).pop() ?? '').toLowerCase();
  return SOURCE_EXTENSIONS.some((ext) => base.endsWith(ext) && base.length > ext.length);
}

/** The extensions as an open dialog's filter wants them: without the dot. */
export const dialogExtensions = (): string[] => SOURCE_EXTENSIONS.map((ext) => ext.slice(1));

/** The last part of a path, with either separator (shared code has no Node `path`). */
export function baseName(path: string): string {
  return path.split(/[/\\]/).pop() ?? '';
}

/** `disk.vhd.bz2` → `disk.vhd`; `image.tgz` → `image.tar`; `x.img` stays. */
export function stripCompressionSuffix(name: string): string {
  if (/\.(tgz|tbz|tbz2|txz)$/i.test(name)) return name.replace(/\.(tgz|tbz|tbz2|txz)$/i, '.tar');
  return name.replace(/\.(gz|gzip|bz2|bzip2|xz)$/i, '');
}
