// WinImage's question, explained: how the VMDK stores the disk. Controller and the rarely
// needed settings sit below. ESXi takes only a stream-optimized disk: when it is the target,
// that is the type shown, and picking a hosted type says it switches back to Workstation.
import { useId, type ReactElement } from 'react';
import type { DiskInfo } from '../../../shared/disk-info';
import { CONTROLLERS, type Controller } from '../../../shared/options';
import { CONTROLLER_LABEL } from './labels';
import { Button, Callout, Step } from '../components/layout';
import { formatBytes } from '../format';
import { HW_VERSIONS } from '../guests';
import { useWizard } from '../store-context';
import { DISK_LAYOUTS, choicesForLayout, describesMachine, effectiveSaveAs, shownLayout, targetOf, type DiskLayout, type Setup } from '../store/choices';
import './DiskTypeStep.css';

const TWO_GB = 2 * 1024 * 1024 * 1024;

const LAYOUT: Record<DiskLayout, { title: string; line: string; tag?: string }> = {
  dynamic: { title: 'Dynamic', line: 'Grows as the guest writes; starts as small as the data.', tag: 'Recommended' },
  fixed: { title: 'Fixed', line: 'Takes the whole size up front; slightly faster writes in the guest.' },
  split: { title: 'Split into 2 GB files', line: 'Many small files, for FAT32 drives and easier copying.' },
  stream: { title: 'Stream-optimized', line: 'Compressed; the type ESXi and vSphere import, usually packed in an OVA.', tag: 'ESXi / vSphere' },
};

function sizeOnDisk(layout: DiskLayout, disk: DiskInfo): string {
  const data = Math.min(disk.virtualSize, disk.allocatedBytes);
  switch (layout) {
    case 'dynamic':
      return `About ${formatBytes(data)} on disk`;
    case 'fixed':
      return `${formatBytes(disk.virtualSize)} on disk`;
    case 'split': {
      const pieces = Math.max(1, Math.ceil(disk.virtualSize / TWO_GB));
      return `${pieces} ${pieces === 1 ? 'piece' : 'pieces'}, about ${formatBytes(data)} in all`;
    }
    case 'stream':
      return `Less than ${formatBytes(data)}, compressed`;
  }
}


export function DiskTypeStep({ setup }: { setup: Setup }): ReactElement {
  const next = useWizard((s) => s.next);
  const back = useWizard((s) => s.back);
  const update = useWizard((s) => s.update);
  const { disk, choices } = setup;
  const ids = { controller: useId(), controllerHint: useId(), hw: useId(), sizeRule: useId() };
  const asMachine = describesMachine(effectiveSaveAs(choices));
  const forEsxi = targetOf(choices) === 'esxi';
  const layoutShown = shownLayout(choices);
  return (
    <Step
      title="Choose the disk type"
      subtitle="How the new VMware disk stores its data. Every type holds exactly the same bytes."
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
      {forEsxi ? (
        <Callout tone="info" title="ESXi / vSphere takes a stream-optimized disk">
          ESXi imports only this type (on its own or inside an OVA), so Ferry writes it. Dynamic, fixed and split disks are for Workstation, Player and Fusion: picking one
          switches the target back to those.
        </Callout>
      ) : null}
      <fieldset className="choice-grid">
        <legend className="sr-only">Disk type</legend>
        {DISK_LAYOUTS.map((layout) => {
          const info = LAYOUT[layout];
          return (
            <label key={layout} className={layoutShown === layout ? 'choice is-selected' : 'choice'}>
              <input
                type="radio"
                name="layout"
                value={layout}
                checked={layoutShown === layout}
                onChange={() => update(choicesForLayout(choices, layout))}
              />
              <span className="choice-body">
                <span className="choice-title">
                  {info.title}
                  {info.tag ? <span className="badge">{info.tag}</span> : null}
                </span>
                <span className="choice-line">{info.line}</span>
                <span className="choice-meta">{sizeOnDisk(layout, disk)}</span>
              </span>
            </label>
          );
        })}
      </fieldset>

      <div className="field">
        <label htmlFor={ids.controller}>Disk controller</label>
        <select
          id={ids.controller}
          value={choices.controller}
          aria-describedby={ids.controllerHint}
          onChange={(e) => update({ controller: e.target.value as Controller | 'auto' })}
        >
          {(['auto', ...CONTROLLERS] as const).map((c) => (
            <option key={c} value={c}>
              {CONTROLLER_LABEL[c]}
            </option>
          ))}
        </select>
        <p className="field-hint" id={ids.controllerHint}>
          Windows only boots from a controller it has a driver for; Hyper-V disks usually boot from IDE. A .vmdk saved alone records this as its adapter type.
        </p>
      </div>

      <details className="disclosure">
        <summary>Advanced</summary>
        <div className="disclosure-body">
          <label className="check">
            <input type="checkbox" checked={choices.verify} onChange={(e) => update({ verify: e.target.checked })} />
            <span>
              Verify the new disk
              <span className="check-hint">Reads it back and compares every block with the source. Recommended.</span>
            </span>
          </label>
          {layoutShown === 'split' ? (
            <label className="check">
              <input type="checkbox" checked={choices.preallocateSplit} onChange={(e) => update({ preallocateSplit: e.target.checked })} />
              <span>
                Preallocate the 2 GB pieces
                <span className="check-hint">Each piece takes its full size up front (a split fixed disk).</span>
              </span>
            </label>
          ) : null}
          {asMachine && disk.guest?.family.toLowerCase().startsWith('windows') ? (
            <label className="check">
              <input type="checkbox" checked={choices.guestRepair} onChange={(e) => update({ guestRepair: e.target.checked })} />
              <span>
                Make Windows boot on the new controller
                <span className="check-hint">Sets the controller&apos;s driver to start at boot in the new disk&apos;s registry; the source is never changed.</span>
              </span>
            </label>
          ) : null}
          {asMachine ? (
            <div className="field">
              <label htmlFor={ids.hw}>Virtual hardware version</label>
              <select
                id={ids.hw}
                value={String(choices.hwVersion)}
                onChange={(e) => update({ hwVersion: e.target.value === 'auto' ? 'auto' : Number(e.target.value) })}
              >
                <option value="auto">Automatic — opens in current VMware products</option>
                {HW_VERSIONS.map((h) => (
                  <option key={h.version} value={String(h.version)}>
                    {h.label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {disk.sizeCandidates ? (
            <div className="field">
              <label htmlFor={ids.sizeRule}>Disk size from</label>
              <select
                id={ids.sizeRule}
                value={choices.vhdSizeRule}
                onChange={(e) => update({ vhdSizeRule: e.target.value as typeof choices.vhdSizeRule })}
              >
                <option value="auto">Automatic — by the program that made the disk</option>
                <option value="current">The header's size ({formatBytes(disk.sizeCandidates.currentSize)})</option>
                <option value="chs">The geometry ({formatBytes(disk.sizeCandidates.chsSize)})</option>
              </select>
            </div>
          ) : null}
        </div>
      </details>
    </Step>
  );
}
