// First screen: what to do (drop a disk anywhere, or choose one), and the wait while it is read.
import type { ReactElement } from 'react';
import { Button, Step } from '../components/layout';
import { DiskIcon, UploadIcon } from '../components/icons';
import { fileName } from '../format';
import { useWizard } from '../store-context';

export function WelcomeStep({ inspecting }: { inspecting: string | null }): ReactElement {
  const chooseFile = useWizard((s) => s.chooseFile);
  return (
    <Step
      title="Turn a Hyper-V disk into a VMware machine"
      subtitle="Ferry converts Hyper-V disks into VMDKs, a virtual machine folder VMware opens directly, or an OVA for ESXi. Your original disk is only read, never changed."
      actions={
        <>
          <span className="actions-note">Step 1 of 5: choose the disk to convert.</span>
          <Button kind="primary" onClick={() => void chooseFile()} disabled={inspecting !== null}>
            Choose file…
          </Button>
        </>
      }
    >
      <div className={inspecting ? 'dropzone is-busy' : 'dropzone'} aria-live="polite">
        {inspecting ? (
          <>
            <div className="spinner" aria-hidden="true" />
            <p className="dropzone-title">Reading {fileName(inspecting)}…</p>
            <p className="dropzone-hint">
              {/\.(gz|bz2|xz|zip|tar|tgz)$/i.test(inspecting)
                ? 'Unpacking it to look inside; a large download takes a while.'
                : 'Checking its format, size, partitions and operating system.'}
            </p>
          </>
        ) : (
          <>
            <div className="dropzone-icon">
              <UploadIcon size={30} />
            </div>
            <p className="dropzone-title">Drop a virtual disk anywhere in this window</p>
            <p className="dropzone-hint">
              or use <strong>Choose file…</strong> below. You can also open a .vhd with Ferry from your file manager.
            </p>
            <ul className="dropzone-formats" aria-label="Disks Ferry reads">
              {['VHD', 'VHDX', 'Checkpoints', 'VMDK', 'Raw images', 'Compressed'].map((f) => (
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
