// The inspection as a readable card: what the disk is, how big, who made it, what is on it.
import type { ReactElement, ReactNode } from 'react';
import type { DiskInfo } from '../../../shared/disk-info';
import { Button, Callout, Step } from '../components/layout';
import { DiskIcon } from '../components/icons';
import { fileName, folderOf, formatBytes, formatExactBytes } from '../format';
import { useWizard } from '../store-context';
import { recognisedGuest, type Setup } from '../store/choices';
import './SourceStep.css';

const VARIANT: Record<DiskInfo['variant'], string> = {
  fixed: 'fixed size',
  dynamic: 'dynamically expanding',
  differencing: 'differencing (changes on top of a parent disk)',
  flat: 'flat',
  sparse: 'sparse',
  streamOptimized: 'stream-optimized',
  raw: 'raw',
};

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
  if (disk.partitions?.scheme === 'gpt') return 'UEFI (GPT partition table)';
  if (disk.partitions?.scheme === 'mbr') return 'BIOS (MBR partition table)';
  return 'Not detected';
}

export function SourceStep({ setup }: { setup: Setup }): ReactElement {
  const next = useWizard((s) => s.next);
  const back = useWizard((s) => s.back);
  const chooseFile = useWizard((s) => s.chooseFile);
  const { disk } = setup;
  const creator = disk.creator;
  const partitions = disk.partitions;
  const guest = recognisedGuest(disk);
  return (
    <Step
      title="Check the source disk"
      subtitle="Here is what Ferry found. If this is the disk you meant, go on to choose the disk type."
      onSubmit={next}
      actions={
        <>
          <Button kind="ghost" onClick={back}>
            Back
          </Button>
          <span className="spacer" />
          <Button kind="primary" type="submit">
            Next
          </Button>
        </>
      }
    >
      <section className="card" aria-label="Source disk">
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
            Choose another…
          </Button>
        </div>
        <dl className="facts">
          <Fact label="Format">{disk.format === 'raw' ? 'Raw disk image' : `${disk.format.toUpperCase()}, ${VARIANT[disk.variant]}`}</Fact>
          <Fact label="Virtual size">
            {formatBytes(disk.virtualSize)} <span className="muted">({formatExactBytes(disk.virtualSize)})</span>
          </Fact>
          <Fact label="Data stored">
            {formatBytes(disk.allocatedBytes)} <span className="muted">· the file is {formatBytes(disk.fileSize)}</span>
          </Fact>
          <Fact label="Created by">{creator ? `${creator.appName ?? creator.app} ${creator.version}`.trim() : <span className="muted">Unknown</span>}</Fact>
          <Fact label="Operating system">
            {guest ? (
              <span title={guest.evidence.join('\n')}>{guest.os ? `${guest.os.name}${guest.os.version ? ` ${guest.os.version}` : ''}` : guest.family}</span>
            ) : (
              <span className="muted">Not recognised</span>
            )}
          </Fact>
          <Fact label="Firmware">{firmwareText(disk)}</Fact>
          {disk.compression ? (
            <Fact label="Compressed" wide>
              {disk.compression.layers.join(' + ')}
              {disk.compression.member ? ` (${disk.compression.member})` : ''} <span className="muted">· {formatBytes(disk.compression.unpackedSize)} unpacked, in a temporary copy Ferry converts from and removes afterwards</span>
            </Fact>
          ) : null}
          {disk.parents.length > 0 ? (
            <Fact label="Parent disks" wide>
              <ol className="chain">
                {disk.parents.map((p) => (
                  <li key={p.path} title={p.path}>
                    {fileName(p.path)} <span className="muted">({p.variant})</span>
                  </li>
                ))}
              </ol>
            </Fact>
          ) : null}
        </dl>
        <div className="partitions">
          <h2 className="section-title">
            Partitions {partitions ? <span className="badge">{partitions.scheme.toUpperCase()}</span> : null}
          </h2>
          {partitions && partitions.partitions.length > 0 ? (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Type</th>
                  <th scope="col">File system</th>
                  <th scope="col" className="num">
                    Size
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
                          {p.name} <span className="muted">· {p.typeName}</span>
                        </>
                      ) : (
                        p.typeName
                      )}
                      {p.bootable ? <span className="badge badge-quiet">active</span> : null}
                    </td>
                    <td>{p.filesystem ?? <span className="muted">—</span>}</td>
                    <td className="num">{formatBytes(p.sizeBytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted small">No partition table: the disk is blank or holds a single file system.</p>
          )}
        </div>
      </section>
      {disk.guest && disk.guest.evidence.length > 0 ? (
        <details className="disclosure">
          <summary>How Ferry chose the operating system and firmware</summary>
          <ul className="plain-list">
            {disk.guest.evidence.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {disk.sizeCandidates ? (
        <Callout tone="info" title="Two sizes recorded">
          The disk's header says {formatExactBytes(disk.sizeCandidates.currentSize)}, its geometry {formatExactBytes(disk.sizeCandidates.chsSize)}. Ferry uses the{' '}
          {disk.sizeCandidates.chosen === 'chs' ? 'geometry' : 'header'} ({disk.sizeCandidates.reason}); you can change this under Advanced on the next step.
        </Callout>
      ) : null}
      {disk.warnings.length > 0 ? (
        <Callout tone="warning" title={disk.warnings.length === 1 ? 'One thing to know' : `${disk.warnings.length} things to know`}>
          <ul className="plain-list">
            {disk.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Callout>
      ) : null}
    </Step>
  );
}
