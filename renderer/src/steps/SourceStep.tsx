// The inspection as a readable card: what the disk is, how big, who made it, what is on it.
import type { ReactElement, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiskInfo } from '../../../shared/disk-info';
import { Button, Callout, Step } from '../components/layout';
import { DiskIcon } from '../components/icons';
import { fileName, folderOf, formatBytes, formatExactBytes } from '../format';
import { t } from '../i18n';
import { useWizard } from '../store-context';
import { partitionTypeName, say } from './engine-words';
import { recognisedGuest, type Setup } from '../store/choices';
import { canGoOn } from '../store/wizard-store';
import { MachineDisks } from './MachineDisks';
import { ManyList } from './ManyList';
import './SourceStep.css';

const variantText = (v: DiskInfo['variant']): string => t(`source.variant.${v}`);

function Fact({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }): ReactElement {
  return (
    <div className={wide ? 'fact is-wide' : 'fact'}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function firmwareText(disk: DiskInfo): string {
  if (disk.guest) return disk.guest.firmware === 'efi' ? 'UEFI' : 'BIOS';
  if (disk.partitions?.scheme === 'gpt') return t('source.uefiGpt');
  if (disk.partitions?.scheme === 'mbr') return t('source.biosMbr');
  return t('source.notDetected');
}

export function SourceStep({ setup }: { setup: Setup }): ReactElement {
  const next = useWizard((s) => s.next);
  const back = useWizard((s) => s.back);
  const chooseFile = useWizard((s) => s.chooseFile);
  const confirm = useWizard((s) => s.confirmOutsideDisks);
  const { t } = useTranslation();
  const { disk, many } = setup;
  const creator = disk.creator;
  const goesOn = canGoOn(setup);
  const partitions = disk.partitions;
  const guest = recognisedGuest(disk);
  return (
    <Step
      title={many ? t('many.title', { count: many.items.length }) : disk.machine ? t('machine.readyTitle') : t('source.title')}
      subtitle={many ? t('many.subtitle') : disk.machine ? t('machine.readySubtitle') : t('source.subtitle')}
      onSubmit={next}
      actions={
        <>
          <Button kind="ghost" onClick={back}>
            {t('common.back')}
          </Button>
          {many ? (
            <Button kind="secondary" onClick={() => void chooseFile()}>
              {t('source.chooseAnother')}
            </Button>
          ) : null}
          <span className="spacer" />
          {!goesOn ? (
            <span className="actions-note" id="source-why">
              {t('many.blockedNote')}
            </span>
          ) : null}
          <Button kind="primary" type="submit" disabled={!goesOn} {...(!goesOn ? { 'aria-describedby': 'source-why' } : {})}>
            {t('common.next')}
          </Button>
        </>
      }
    >
      {many ? <ManyList many={many} /> : null}
      {disk.machine ? <MachineDisks machine={disk.machine} confirmed={setup.allowOutsideDisks === true} checking={false} onConfirm={(v) => void confirm(v)} /> : null}
      {many ? null : (
      <section className="card" aria-label={t('source.cardLabel')}>
        <div className="card-head">
          <div className="card-head-icon">
            <DiskIcon size={22} />
          </div>
          <div className="card-head-text">
            <p className="card-title" title={disk.path}>
              {fileName(disk.path)}
            </p>
            <p className="card-sub" title={disk.path}>
              {folderOf(disk.path)}
            </p>
          </div>
          <Button kind="secondary" onClick={() => void chooseFile()}>
            {t('source.chooseAnother')}
          </Button>
        </div>
        <dl className="facts">
          <Fact label={t('source.format')}>{disk.format === 'raw' ? t('source.rawImage') : t('source.formatLine', { format: disk.format.toUpperCase(), variant: variantText(disk.variant) })}</Fact>
          <Fact label={t('source.virtualSize')}>
            {formatBytes(disk.virtualSize)} <span className="muted">({formatExactBytes(disk.virtualSize)})</span>
          </Fact>
          <Fact label={t('source.dataStored')}>
            {formatBytes(disk.allocatedBytes)} <span className="muted">{t('source.fileIs', { size: formatBytes(disk.fileSize) })}</span>
          </Fact>
          <Fact label={t('source.createdBy')}>{creator ? `${creator.appName ?? creator.app} ${creator.version}`.trim() : <span className="muted">{t('source.unknown')}</span>}</Fact>
          <Fact label={t('source.operatingSystem')}>
            {guest ? (
              <span title={guest.evidenceCodes.map(say).join('\n')}>{guest.os ? `${guest.os.name}${guest.os.version ? ` ${guest.os.version}` : ''}` : guest.family}</span>
            ) : (
              <span className="muted">{t('source.notRecognised')}</span>
            )}
          </Fact>
          <Fact label={t('source.firmware')}>{firmwareText(disk)}</Fact>
          {disk.compression ? (
            <Fact label={t('source.compressed')} wide>
              {disk.compression.layers.join(' + ')}
              {disk.compression.member ? ` (${disk.compression.member})` : ''} <span className="muted">{t('source.unpackedCopy', { size: formatBytes(disk.compression.unpackedSize) })}</span>
            </Fact>
          ) : null}
          {disk.parents.length > 0 ? (
            <Fact label={t('source.parents')} wide>
              <ol className="chain">
                {disk.parents.map((p) => (
                  <li key={p.path} title={p.path}>
                    {fileName(p.path)} <span className="muted">({variantText(p.variant)})</span>
                  </li>
                ))}
              </ol>
            </Fact>
          ) : null}
        </dl>
        <div className="partitions">
          <h2 className="section-title">
            {t('source.partitions')} {partitions ? <span className="badge">{partitions.scheme.toUpperCase()}</span> : null}
          </h2>
          {partitions && partitions.partitions.length > 0 ? (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('source.partType')}</th>
                  <th scope="col">{t('source.fileSystem')}</th>
                  <th scope="col" className="num">
                    {t('source.size')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {partitions.partitions.map((p) => (
                  <tr key={p.index}>
                    <td>{p.index}</td>
                    <td>
                      {p.name ? (
                        <>
                          {p.name} <span className="muted">· {partitionTypeName(p)}</span>
                        </>
                      ) : (
                        partitionTypeName(p)
                      )}
                      {p.bootable ? <span className="badge badge-quiet">{t('source.active')}</span> : null}
                    </td>
                    <td>{p.filesystem ?? <span className="muted">—</span>}</td>
                    <td className="num">{formatBytes(p.sizeBytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted small">{t('source.noPartitions')}</p>
          )}
        </div>
      </section>
      )}
      {!many && disk.guest && disk.guest.evidenceCodes.length > 0 ? (
        <details className="disclosure">
          <summary>{t('source.howChosen')}</summary>
          <ul className="plain-list">
            {disk.guest.evidenceCodes.map((e, i) => (
              <li key={i}>{say(e)}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {!many && disk.sizeCandidates ? (
        <Callout tone="info" title={t('source.twoSizes')}>
          {t('source.twoSizesText', {
            header: formatExactBytes(disk.sizeCandidates.currentSize),
            geometry: formatExactBytes(disk.sizeCandidates.chsSize),
            chosen: disk.sizeCandidates.chosen === 'chs' ? t('source.chosenGeometry') : t('source.chosenHeader'),
            reason: say(disk.sizeCandidates.reasonCode),
          })}
        </Callout>
      ) : null}
      {!many && disk.warningCodes.length > 0 ? (
        <Callout tone="warning" title={t('source.thingsToKnow', { count: disk.warningCodes.length })}>
          <ul className="plain-list">
            {disk.warningCodes.map((w, i) => (
              <li key={i}>{say(w)}</li>
            ))}
          </ul>
        </Callout>
      ) : null}
    </Step>
  );
}
