// A machine configuration's disks as the source step lists them: each with its full path, its
// size and format, and how it was found (beside the configuration, or at its stated path); a
// disk outside the machine's folder with the control that confirms it; a missing one by every
// place that was looked for.
import { useId, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { MachineDisk, MachineInfo } from '../../../shared/disk-info';
import { Callout } from '../components/layout';
import { VmIcon } from '../components/icons';
import { fileName, formatBytes } from '../format';
import { t } from '../i18n';
import './MachineDisks.css';

/** Why the machine cannot be converted yet, or null. */
export function machineBlocker(machine: MachineInfo, confirmed: boolean): string | null {
  const missing = machine.disks.filter((d) => !d.found).length;
  if (missing > 0) return t('machine.blockedMissing', { count: missing });
  if (machine.disks.some((d) => d.file?.problem !== undefined)) return t('machine.blockedUnreadable');
  if (!confirmed && machine.disks.some((d) => d.found?.outside)) return t('machine.blockedOutside');
  return null;
}

function what(disk: MachineDisk): string {
  const file = disk.file;
  if (!file) return '';
  if (file.format === undefined) return t('machine.sizeOnly', { size: formatBytes(file.fileSize) });
  const variant = file.variant ? t(`source.variant.${file.variant}`) : '';
  return t('machine.diskWhat', { format: file.format === 'raw' ? t('source.rawImage') : file.format.toUpperCase(), variant, size: formatBytes(file.virtualSize ?? file.fileSize) });
}

function DiskRow({ disk, index }: { disk: MachineDisk; index: number }): ReactElement {
  const { t } = useTranslation();
  const slot = `${disk.bus.toUpperCase()} ${disk.controller}:${disk.unit}`;
  return (
    <li className={disk.found ? (disk.found.outside ? 'machine-disk is-outside' : 'machine-disk') : 'machine-disk is-missing'}>
      <div className="machine-disk-head">
        <span className="machine-disk-name">{t('machine.diskN', { n: index + 1 })}</span>
        {index === 0 ? <span className="badge">{t('machine.boot')}</span> : null}
        <span className="muted small">{slot}</span>
        {disk.found?.outside ? <span className="badge machine-badge-outside">{t('machine.outside')}</span> : null}
      </div>
      {disk.found ? (
        <>
          <code className="machine-disk-path">{disk.found.path}</code>
          <p className="machine-disk-meta">
            {what(disk)}
            <span className="muted"> · {disk.found.how === 'beside' ? t('machine.foundBeside') : t('machine.foundStated')}</span>
          </p>
          {disk.file?.problem ? <p className="machine-disk-problem">{disk.file.problem}</p> : null}
        </>
      ) : (
        <>
          <p className="machine-disk-problem">{t('machine.notFound', { name: fileName(disk.path) || disk.path })}</p>
          <ul className="machine-looked">
            {(disk.lookedFor ?? []).map((p) => (
              <li key={p}>
                <code>{p}</code>
              </li>
            ))}
          </ul>
        </>
      )}
    </li>
  );
}

export function MachineDisks({
  machine,
  confirmed,
  checking,
  onConfirm,
}: {
  machine: MachineInfo;
  confirmed: boolean;
  checking: boolean;
  onConfirm: (confirmed: boolean) => void;
}): ReactElement {
  const { t } = useTranslation();
  const confirmHint = useId();
  const outside = machine.disks.filter((d) => d.found?.outside);
  const facts = [
    machine.memoryMB !== undefined ? t('machine.memory', { size: formatBytes(machine.memoryMB * 1024 * 1024) }) : null,
    machine.cpus !== undefined ? t('machine.cpus', { count: machine.cpus }) : null,
    machine.firmware ? (machine.firmware === 'efi' ? 'UEFI' : 'BIOS') : null,
  ].filter(Boolean);
  const missing = machine.disks.some((d) => !d.found);
  return (
    <section className="card machine-card" aria-label={t('machine.cardLabel')}>
      <div className="machine-head">
        <span className="machine-icon">
          <VmIcon size={22} />
        </span>
        <div className="machine-head-text">
          <p className="machine-title">{machine.name}</p>
          <p className="muted small machine-config" title={machine.config}>
            {t(`machine.kind.${machine.kind}`)} · {machine.config}
          </p>
        </div>
        {facts.length ? <span className="muted small">{facts.join(' · ')}</span> : null}
      </div>
      <ol className="machine-disks" aria-label={t('machine.disksLabel')}>
        {machine.disks.map((d, i) => (
          <DiskRow key={`${d.bus}${d.controller}:${d.unit}:${d.path}`} disk={d} index={i} />
        ))}
      </ol>
      {outside.length > 0 && !missing ? (
        <div className="machine-confirm">
          <label className="check">
            <input type="checkbox" checked={confirmed} disabled={checking} aria-describedby={confirmHint} onChange={(e) => onConfirm(e.target.checked)} />
            <span>{t('machine.confirmOutside', { count: outside.length })}</span>
          </label>
          <p className="check-hint" id={confirmHint}>
            {t('machine.confirmOutsideHint', { tree: machine.tree })}
          </p>
        </div>
      ) : null}
      {machine.warnings.length > 0 ? (
        <div className="machine-warnings">
          <Callout tone="warning">
            <ul className="plain-list">
              {machine.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </Callout>
        </div>
      ) : null}
    </section>
  );
}
