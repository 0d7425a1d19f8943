// First screen: what to do (drop a disk anywhere, or choose one), and the wait while it is read:
// a compressed download is unpacked first, with a real bar.
import type { ReactElement } from 'react';
import type { Progress } from '../../../shared/jobs';
import { Button, Step } from '../components/layout';
import { DiskIcon, UploadIcon } from '../components/icons';
import { fileName, formatBytes, formatPercent, formatRate } from '../format';
import { useWizard } from '../store-context';
import './WelcomeStep.css';

function Unpacking({ progress }: { progress: Progress }): ReactElement {
  const fraction = progress.total > 0 ? progress.done / progress.total : 0;
  const percent = formatPercent(fraction);
  return (
    <div className="dropzone-progress">
      <div
        className="bar"
        role="progressbar"
        aria-label="Unpacking"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.floor(fraction * 100)}
        aria-valuetext={`${percent} unpacked`}
      >
        <div className="bar-fill" style={{ width: `${(fraction * 100).toFixed(2)}%` }} />
      </div>
      {/* Inside the live region: the bar carries the value, so this line is not read out ten times a second. */}
      <p className="dropzone-hint" aria-hidden="true">
        {percent} of {formatBytes(progress.total)} read{progress.rate > 0 ? ` · ${formatRate(progress.rate)}` : ''}
      </p>
    </div>
  );
}

export function WelcomeStep({ inspecting }: { inspecting: { path: string; progress: Progress | null } | null }): ReactElement {
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
          inspecting.progress?.phase === 'decompressing' ? (
            <>
              <div className="dropzone-icon" aria-hidden="true">
                <DiskIcon size={30} />
              </div>
              <p className="dropzone-title">Unpacking {fileName(inspecting.path)}…</p>
              <Unpacking progress={inspecting.progress} />
            </>
          ) : (
            <>
              <div className="spinner" aria-hidden="true" />
              <p className="dropzone-title">Reading {fileName(inspecting.path)}…</p>
              <p className="dropzone-hint">Checking its format, size, partitions and operating system.</p>
            </>
          )
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
