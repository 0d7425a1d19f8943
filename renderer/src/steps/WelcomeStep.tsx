// First screen: what to do (drop a disk anywhere, or choose one), and the wait while it is read:
// a compressed download is unpacked first, with a real bar.
import type { ReactElement } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { Progress } from '../../../shared/jobs';
import { Button, Step } from '../components/layout';
import { DiskIcon, UploadIcon } from '../components/icons';
import { fileName, formatBytes, formatPercent, formatRate } from '../format';
import { useWizard } from '../store-context';
import './WelcomeStep.css';

function Unpacking({ progress }: { progress: Progress }): ReactElement {
  const fraction = progress.total > 0 ? progress.done / progress.total : 0;
  const percent = formatPercent(fraction);
  const { t } = useTranslation();
  return (
    <div className="dropzone-progress">
      <div
        className="bar"
        role="progressbar"
        aria-label={t('welcome.unpacking')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.floor(fraction * 100)}
        aria-valuetext={t('welcome.unpackedValue', { percent })}
      >
        <div className="bar-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
      </div>
      {/* Inside the live region: the bar carries the value, so this line is not read out ten times a second. */}
      <p className="dropzone-hint" aria-hidden="true">
        {t('welcome.unpackedLine', { percent, total: formatBytes(progress.total) })}
        {progress.rate > 0 ? ` · ${formatRate(progress.rate)}` : ''}
      </p>
    </div>
  );
}

export function WelcomeStep({ inspecting }: { inspecting: { path: string; progress: Progress | null; of?: { index: number; count: number } } | null }): ReactElement {
  const chooseFile = useWizard((s) => s.chooseFile);
  const { t } = useTranslation();
  return (
    <Step
      title={t('welcome.title')}
      subtitle={t('welcome.subtitle')}
      actions={
        <>
          <span className="actions-note">{t('welcome.stepNote')}</span>
          <Button kind="primary" onClick={() => void chooseFile()} disabled={inspecting !== null}>
            {t('welcome.chooseFile')}
          </Button>
        </>
      }
    >
      <div className={inspecting ? 'dropzone is-busy' : 'dropzone'} aria-live="polite">
        {inspecting ? (
          inspecting.progress?.phase === 'decompressing' ? (
            <>
              <div className="dropzone-icon" aria-hidden="true">
                <DiskIcon size={30} />
              </div>
              <p className="dropzone-title">{t('welcome.unpackingFile', { name: fileName(inspecting.path) })}</p>
              <Unpacking progress={inspecting.progress} />
            </>
          ) : (
            <>
              <div className="spinner" aria-hidden="true" />
              <p className="dropzone-title">
                {inspecting.of ? t('welcome.readingOneOf', { name: fileName(inspecting.path), n: inspecting.of.index + 1, count: inspecting.of.count }) : t('welcome.readingFile', { name: fileName(inspecting.path) })}
              </p>
              <p className="dropzone-hint">{t('welcome.readingHint')}</p>
            </>
          )
        ) : (
          <>
            <div className="dropzone-icon">
              <UploadIcon size={30} />
            </div>
            <p className="dropzone-title">{t('welcome.dropTitle')}</p>
            <p className="dropzone-hint">
              <Trans i18nKey="welcome.dropHint" components={{ strong: <strong /> }} />
            </p>
            <ul className="dropzone-formats" aria-label={t('welcome.formatsLabel')}>
              {['VHD', 'VHDX', t('welcome.formatCheckpoints'), 'VMDK', t('welcome.formatRaw'), t('welcome.formatCompressed'), t('welcome.formatMachines')].map((f) => (
                <li key={f}>
                  <DiskIcon size={15} /> {f}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </Step>
  );
}
