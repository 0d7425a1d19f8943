// What was made and where, with the ways to use it.
import type { ReactElement } from 'react';
import type { JobResult } from '../../../shared/jobs';
import type { Controller } from '../../../shared/options';
import { Button, Callout, Step } from '../components/layout';
import { CheckIcon, FolderIcon, PlayIcon } from '../components/icons';
import { fileName, formatBytes } from '../format';
import { guestLabel } from '../guests';
import { useWizard } from '../store-context';
import type { Setup } from '../store/choices';
import { CONTROLLER_LABEL, SUBFORMAT_LABEL } from './labels';
import './DoneStep.css';

function memory(mb: number): string {
  return mb >= 1024 && mb % 1024 === 0 ? `${mb / 1024} GB` : `${mb} MB`;
}

/** "Windows 10 (64-bit), 4 GB, 2 CPUs, UEFI, SATA, hardware version 19" from what the engine chose. */
function describeVm(vm: { guestOS: string; memoryMB: number; cpus: number; firmware: 'bios' | 'efi'; controller: Controller | undefined; hwVersion: number | undefined }): string {
  return [
    guestLabel(vm.guestOS) ?? vm.guestOS,
    memory(vm.memoryMB),
    `${vm.cpus} ${vm.cpus === 1 ? 'CPU' : 'CPUs'}`,
    vm.firmware === 'efi' ? 'UEFI' : 'BIOS',
    ...(vm.controller ? [CONTROLLER_LABEL[vm.controller]] : []),
    ...(vm.hwVersion ? [`hardware version ${vm.hwVersion}`] : []),
  ].join(', ');
}

export function DoneStep({ setup, result }: { setup: Setup; result: JobResult }): ReactElement {
  const showInFolder = useWizard((s) => s.showInFolder);
  const openInVmware = useWizard((s) => s.openInVmware);
  const startOver = useWizard((s) => s.startOver);
  const c = setup.choices;
  const isVm = result.vmx !== undefined;
  const isOva = /\.ova$/i.test(result.output);
  const where = result.folder ?? result.output;
  const made = isVm ? 'virtual machine' : isOva ? 'OVA' : 'VMDK';
  return (
    <Step
      title={`Your ${made} is ready`}
      subtitle={
        isVm
          ? 'Open it in VMware Workstation, Player or Fusion, then start it.'
          : isOva
            ? 'Deploy it from the vSphere Client or the ESXi Host Client with “Deploy OVF/OVA template”.'
            : 'Attach it to a virtual machine, or upload it to your ESXi datastore.'
      }
      icon={
        <span className="done-mark">
          <CheckIcon size={26} />
        </span>
      }
      actions={
        <>
          <Button kind="ghost" onClick={startOver}>
            Convert another
          </Button>
          <span className="spacer" />
          <Button kind={isVm ? 'secondary' : 'primary'} onClick={() => void showInFolder()} icon={<FolderIcon size={16} />}>
            Show in folder
          </Button>
          {isVm ? (
            <Button kind="primary" onClick={() => void openInVmware()} icon={<PlayIcon size={16} />}>
              Open in VMware
            </Button>
          ) : null}
        </>
      }
    >
      <section className="card" aria-label="Result">
        <dl className="facts">
          <div className="fact is-wide">
            <dt>{isVm ? 'Folder' : 'File'}</dt>
            <dd>
              <code className="path">{where}</code>
            </dd>
          </div>
          {isVm || isOva ? (
            <div className="fact is-wide">
              <dt>Virtual machine</dt>
              <dd>
                {fileName(result.vmx ?? result.output)}
                <span className="muted"> · {describeVm(result.vm ?? { ...c, controller: undefined, hwVersion: undefined })}</span>
              </dd>
            </div>
          ) : null}
          {result.vm?.guestChanges?.length ? (
            <div className="fact is-wide">
              <dt>Changed in the guest</dt>
              <dd>
                {result.vm.guestChanges.map((g) => (
                  <div key={g.offset}>
                    {g.what} <span className="muted">· disk bytes {g.offset}–{g.offset + g.length - 1}</span>
                  </div>
                ))}
              </dd>
            </div>
          ) : null}
          <div className="fact">
            <dt>Disk</dt>
            <dd>
              {SUBFORMAT_LABEL[result.subformat]}, {formatBytes(result.virtualSize)}
              <span className="muted"> · {formatBytes(result.dataBytes)} of data</span>
            </dd>
          </div>
          <div className="fact">
            <dt>Checked</dt>
            <dd>
              {result.verified ? 'Verified, identical to the source' : <span className="muted">Not verified (turned off)</span>}
              <span className="muted"> · {result.seconds < 10 ? result.seconds.toFixed(1) : Math.round(result.seconds)} s</span>
            </dd>
          </div>
          {result.files.length > 1 ? (
            <div className="fact is-wide">
              <dt>{result.files.length} files</dt>
              <dd>
                <ul className="file-list">
                  {result.files.slice(0, 6).map((f) => (
                    <li key={f} title={f}>
                      {fileName(f)}
                    </li>
                  ))}
                  {result.files.length > 6 ? <li className="muted">and {result.files.length - 6} more</li> : null}
                </ul>
              </dd>
            </div>
          ) : null}
        </dl>
      </section>
      {result.warnings.length > 0 ? (
        <Callout tone="warning" title="Worth knowing">
          <ul className="plain-list">
            {result.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Callout>
      ) : null}
    </Step>
  );
}
