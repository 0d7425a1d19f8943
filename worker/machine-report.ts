// The text `ferry inspect` prints about a machine read from its configuration.
import type { MachineInfo } from '../shared/disk-info';

const KIND: Record<MachineInfo['kind'], string> = {
  vmc: 'Virtual PC / Virtual Server (.vmc)',
  'hyperv-xml': 'Hyper-V configuration (XML, 2008–2012 R2)',
  'hyperv-vmcx': 'Hyper-V configuration (.vmcx, 2016 and later)',
  vmx: 'VMware (.vmx)',
};

export function renderMachine(m: MachineInfo): string[] {
  const lines: string[] = [`Machine ${m.name}`];
  const row = (k: string, v: string) => lines.push(`  ${k.padEnd(14)} ${v}`);
  row('Configuration', `${m.config} — ${KIND[m.kind]}`);
  row('Folder', m.tree);
  const hw = [
    m.memoryMB !== undefined ? `${m.memoryMB} MB` : undefined,
    m.cpus !== undefined ? `${m.cpus} CPU(s)` : undefined,
    m.generation !== undefined ? `generation ${m.generation}` : undefined,
    m.firmware ? m.firmware.toUpperCase() : undefined,
    m.secureBoot !== undefined ? `secure boot ${m.secureBoot ? 'on' : 'off'}` : undefined,
    m.guestOS ? `guestOS "${m.guestOS}"` : undefined,
    `${m.nics} network adapter(s)`,
  ].filter(Boolean);
  row('Hardware', hw.join(', '));
  m.disks.forEach((d, i) => {
    const slot = `${d.bus}${d.controller}:${d.unit}${d.model ? ` (${d.model})` : ''}`;
    const where = d.found
      ? `${d.found.path} (${d.found.how === 'beside' ? 'found beside the configuration' : 'at its stated path'}${d.found.outside ? ', OUTSIDE the machine folder' : ''})`
      : 'not found';
    row(i === 0 ? 'Disks' : '', `${i + 1}. ${slot} ${d.path}${i === 0 ? ' [boot]' : ''}`);
    row('', `   → ${where}`);
  });
  if (m.snapshots.length) {
    const byParent = new Map<string | undefined, typeof m.snapshots>();
    const ids = new Set(m.snapshots.map((s) => s.id));
    for (const s of m.snapshots) {
      const p = s.parent && ids.has(s.parent) ? s.parent : undefined;
      byParent.set(p, [...(byParent.get(p) ?? []), s]);
    }
    let label = 'Snapshots';
    const seen = new Set<string>();
    const walk = (parent: string | undefined, depth: number) => {
      for (const s of byParent.get(parent) ?? []) {
        if (seen.has(s.id)) continue;
        seen.add(s.id);
        row(label, `${'  '.repeat(depth)}- ${s.name}${s.current ? ' (current)' : ''}${s.file ? ` [${s.file}]` : ''}`);
        label = '';
        walk(s.id, depth + 1);
      }
    };
    walk(undefined, 0);
  }
  if (m.files?.length) m.files.forEach((f, i) => row(i === 0 ? 'Files' : '', `${f.name.padEnd(32)} ${f.role}`));
  m.warnings.forEach((w, i) => row(i === 0 ? 'Warnings' : '', w));
  return lines;
}
