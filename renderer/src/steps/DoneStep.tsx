// What was made and where, with the ways to use it.
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobResult } from '../../../shared/jobs';
import type { Controller } from '../../../shared/options';
import { Button, Callout, Step } from '../components/layout';
import { CheckIcon, FolderIcon, PlayIcon } from '../components/icons';
import { fileName, formatBytes, formatCount, formatSeconds } from '../format';
import { guestLabel } from '../guests';
import { t } from '../i18n';
import { useWizard } from '../store-context';
import type { Setup } from '../store/choices';
import { say } from './engine-words';
import { controllerLabel, subformatLabel } from './labels';
import './DoneStep.css';

function memory(mb: number): string {
  return mb >= 1024 && mb % 1024 === 0 ? t('done.memoryGB', { amount: formatCount(mb / 1024) }) : t('done.memoryMB', { amount: formatCount(mb) });
}

/** "Windows 10 (64-bit), 4 GB, 2 CPUs, UEFI, SATA, hardware version 19" from what the engine chose. */
function describeVm(vm: { guestOS: string; memoryMB: number; cpus: number; firmware: 'bios' | 'efi'; controller: Controller | undefined; hwVersion: number | undefined }): string {
  return [
    guestLabel(vm.guestOS) ?? vm.guestOS,
    memory(vm.memoryMB),
    t('done.cpus', { count: vm.cpus }),
    vm.firmware === 'efi' ? 'UEFI' : 'BIOS',
    ...(vm.controller ? [controllerLabel(vm.controller)] : []),
    ...(vm.hwVersion ? [t('done.hwVersion', { version: vm.hwVersion })] : []),
  ].join(t('done.separator'));
}

export function DoneStep({ setup, result }: { setup: Setup; result: JobResult }): ReactElement {
  const showInFolder = useWizard((s) => s.showInFolder);
  const openInVmware = useWizard((s) => s.openInVmware);
  const startOver = useWizard((s) => s.startOver);
  const { t } = useTranslation();
  const c = setup.choices;
  const isVm = result.vmx !== undefined;
  const isOva = /\.ova$/i.test(result.output);
  const where = result.folder ?? result.output;
  const made = isVm ? 'vm' : isOva ? 'ova' : 'vmdk';
  return (
    <Step
      title={t(`done.title.${made}`)}
      subtitle={t(`done.subtitle.${made}`)}
      icon={
        <span className="done-mark">
          <CheckIcon size={26} />
        </span>
      }
      actions={
        <>
          <Button kind="ghost" onClick={startOver}>
            {t('done.convertAnother')}
          </Button>
          <span className="spacer" />
          <Button kind={isVm ? 'secondary' : 'primary'} onClick={() => void showInFolder()} icon={<FolderIcon size={16} />}>
            {t('done.showInFolder')}
          </Button>
          {isVm ? (
            <Button kind="primary" onClick={() => void openInVmware()} icon={<PlayIcon size={16} />}>
              {t('done.openInVmware')}
            </Button>
          ) : null}
        </>
      }
    >
      <section className="card" aria-label={t('done.resultLabel')}>
        <dl className="facts">
          <div className="fact is-wide">
            <dt>{isVm ? t('done.folder') : t('done.file')}</dt>
            <dd>
              <code className="path">{where}</code>
            </dd>
          </div>
          {isVm || isOva ? (
            <div className="fact is-wide">
              <dt>{t('done.virtualMachine')}</dt>
              <dd>
                {fileName(result.vmx ?? result.output)}
                <span className="muted"> · {describeVm(result.vm ?? { ...c, controller: undefined, hwVersion: undefined })}</span>
              </dd>
            </div>
          ) : null}
          {result.vm?.guestChanges?.length ? (
            <div className="fact is-wide">
              <dt>{t('done.guestChanges.title')}</dt>
              <dd>
                {result.vm.guestChanges.map((g) => (
                  <div key={g.offset}>
                    {g.what} <span className="muted">{t('done.guestChanges.bytes', { from: g.offset, to: g.offset + g.length - 1 })}</span>
                  </div>
                ))}
              </dd>
            </div>
          ) : null}
          <div className="fact">
            <dt>{t('done.disk')}</dt>
            <dd>
              {t('done.diskValue', { type: subformatLabel(result.subformat), size: formatBytes(result.virtualSize) })}
              <span className="muted">{t('done.ofData', { size: formatBytes(result.dataBytes) })}</span>
            </dd>
          </div>
          <div className="fact">
            <dt>{t('done.checked')}</dt>
            <dd>
              {result.verified ? t('done.verified') : <span className="muted">{t('done.notVerified')}</span>}
              <span className="muted"> · {formatSeconds(result.seconds)}</span>
            </dd>
          </div>
          {result.files.length > 1 ? (
            <div className="fact is-wide">
              <dt>{t('done.files', { count: result.files.length })}</dt>
              <dd>
                <ul className="file-list">
                  {result.files.slice(0, 6).map((f) => (
                    <li key={f} title={f}>
                      {fileName(f)}
                    </li>
                  ))}
                  {result.files.length > 6 ? <li className="muted">{t('done.andMore', { count: result.files.length - 6 })}</li> : null}
                </ul>
              </dd>
            </div>
          ) : null}
        </dl>
      </section>
      {result.warningCodes.length > 0 ? (
        <Callout tone="warning" title={t('done.worthKnowing')}>
          <ul className="plain-list">
            {result.warningCodes.map((w, i) => (
              <li key={i}>{say(w)}</li>
            ))}
          </ul>
        </Callout>
      ) : null}
    </Step>
  );
}
