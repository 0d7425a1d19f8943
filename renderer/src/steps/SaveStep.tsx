// What to make (a VM folder, or the .vmdk alone), what to call it and where; for a VM, the
// settings VMware needs, prefilled from what the inspection detected.
import { useId, type ReactElement } from 'react';
import { Button, Callout, Step } from '../components/layout';
import { FileIcon, FolderIcon, PackageIcon, VmIcon } from '../components/icons';
import { GUEST_GROUPS, guestLabel } from '../guests';
import { useWizard } from '../store-context';
import { MAX_NAME, SAVE_KINDS, describesMachine, effectiveSaveAs, plannedOutput, problemsWith, recognisedGuest, type SaveAs, type Setup } from '../store/choices';

const SAVE_ICON: Record<SaveAs, ReactElement> = { vm: <VmIcon size={22} />, vmdk: <FileIcon size={22} />, ova: <PackageIcon size={22} /> };

const SAVE_AS: Record<SaveAs, { title: string; line: string; subtitle: string }> = {
  vm: {
    title: 'Virtual machine folder',
    line: 'A .vmx and its disk. Opens in Workstation, Player or Fusion.',
    subtitle: 'Ferry makes a folder holding the virtual machine and its disk.',
  },
  vmdk: {
    title: 'VMDK disk only',
    line: 'Just the disk, for a VM you already have.',
    subtitle: 'Ferry writes the disk as a .vmdk (plus its extent files, if it has any).',
  },
  ova: {
    title: 'OVA for ESXi',
    line: 'One file to deploy on ESXi or vCenter.',
    subtitle: 'Ferry packs the machine and a compressed stream-optimized disk into one .ova.',
  },
};

/** A number input's value: NaN while the box is empty or holds something that is not a number. */
const asNumber = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

export function SaveStep({ setup }: { setup: Setup }): ReactElement {
  const back = useWizard((s) => s.back);
  const update = useWizard((s) => s.update);
  const convert = useWizard((s) => s.convert);
  const chooseDestination = useWizard((s) => s.chooseDestination);
  const { disk, choices } = setup;
  const saveAs = effectiveSaveAs(choices);
  const problems = problemsWith(choices);
  const blocked = Object.keys(problems).length > 0;
  const id = { name: useId(), dest: useId(), guest: useId(), memory: useId(), cpus: useId(), err: useId() };
  const detected = recognisedGuest(disk);
  const detectedGuest = detected?.guestOS;
  const guestKnown = guestLabel(choices.guestOS) !== undefined;

  return (
    <Step
      title="Choose what to make and where"
      subtitle={SAVE_AS[saveAs].subtitle}
      onSubmit={() => void convert()}
      actions={
        <>
          <Button kind="ghost" onClick={back}>
            Back
          </Button>
          <span className="spacer" />
          {blocked ? (
            <span className="actions-note" id={id.err}>
              Fix the highlighted fields to go on.
            </span>
          ) : null}
          <Button kind="primary" type="submit" disabled={blocked} {...(blocked ? { 'aria-describedby': id.err } : {})}>
            Convert
          </Button>
        </>
      }
    >
      <fieldset className="choice-row is-3">
        <legend className="sr-only">Save as</legend>
        {SAVE_KINDS.map((kind) => {
          const disabled = kind === 'vm' && choices.layout === 'stream';
          return (
            <label key={kind} className={`choice is-stacked${saveAs === kind ? ' is-selected' : ''}${disabled ? ' is-disabled' : ''}`}>
              <input type="radio" name="saveAs" value={kind} checked={saveAs === kind} disabled={disabled} onChange={() => update({ saveAs: kind })} />
              <span className="choice-body">
                <span className="choice-title">
                  <span className="choice-icon">{SAVE_ICON[kind]}</span>
                  {SAVE_AS[kind].title}
                </span>
                <span className="choice-line">{disabled ? 'Not with a stream-optimized disk, which VMware imports rather than runs.' : SAVE_AS[kind].line}</span>
              </span>
            </label>
          );
        })}
      </fieldset>

      <div className="form-grid">
        <div className="field">
          <label htmlFor={id.name}>Name</label>
          <input
            id={id.name}
            type="text"
            value={choices.name}
            spellCheck={false}
            autoComplete="off"
            maxLength={MAX_NAME + 20}
            aria-invalid={problems.name ? true : undefined}
            aria-describedby={problems.name ? `${id.name}-err` : undefined}
            onChange={(e) => update({ name: e.target.value })}
          />
          {problems.name ? (
            <p className="field-error" id={`${id.name}-err`}>
              {problems.name}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={id.dest}>Save in</label>
          <div className="path-picker">
            <input id={id.dest} type="text" value={choices.destination} readOnly title={choices.destination} aria-invalid={problems.destination ? true : undefined} />
            <Button onClick={() => void chooseDestination()} icon={<FolderIcon size={16} />}>
              Choose folder…
            </Button>
          </div>
        </div>
      </div>
      <p className="planned">
        Will create <code>{plannedOutput(choices)}</code>
      </p>

      {describesMachine(saveAs) ? (
        <fieldset className="group">
          <legend>Virtual machine</legend>
          <div className="form-grid is-4">
            <div className="field span-2">
              <label htmlFor={id.guest}>Guest operating system</label>
              <select id={id.guest} value={choices.guestOS} onChange={(e) => update({ guestOS: e.target.value })}>
                {!guestKnown ? <option value={choices.guestOS}>
                    {detected?.family ?? choices.guestOS}
                    {detected ? ' (detected)' : ''}
                  </option> : null}
                {GUEST_GROUPS.map((group) => (
                  <optgroup key={group.label} label={group.label}>
                    {group.guests.map((g) => (
                      <option key={g.id} value={g.id}>
                        {g.label}
                        {g.id === detectedGuest ? ' (detected)' : ''}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={id.memory}>Memory (MB)</label>
              <input
                id={id.memory}
                type="number"
                inputMode="numeric"
                min={4}
                step={4}
                value={Number.isNaN(choices.memoryMB) ? '' : choices.memoryMB}
                aria-invalid={problems.memoryMB ? true : undefined}
                aria-describedby={problems.memoryMB ? `${id.memory}-err` : undefined}
                onChange={(e) => update({ memoryMB: asNumber(e.target.value) })}
              />
              {problems.memoryMB ? (
                <p className="field-error" id={`${id.memory}-err`}>
                  {problems.memoryMB}
                </p>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor={id.cpus}>Processors</label>
              <input
                id={id.cpus}
                type="number"
                inputMode="numeric"
                min={1}
                max={128}
                value={Number.isNaN(choices.cpus) ? '' : choices.cpus}
                aria-invalid={problems.cpus ? true : undefined}
                aria-describedby={problems.cpus ? `${id.cpus}-err` : undefined}
                onChange={(e) => update({ cpus: asNumber(e.target.value) })}
              />
              {problems.cpus ? (
                <p className="field-error" id={`${id.cpus}-err`}>
                  {problems.cpus}
                </p>
              ) : null}
            </div>
          </div>
          <div className="field">
            <span className="label" id="firmware-label">
              Firmware
            </span>
            <div className="segmented" role="radiogroup" aria-labelledby="firmware-label">
              {(['bios', 'efi'] as const).map((f) => (
                <label key={f} className={choices.firmware === f ? 'segment is-selected' : 'segment'}>
                  <input type="radio" name="firmware" value={f} checked={choices.firmware === f} onChange={() => update({ firmware: f })} />
                  <span>
                    {f === 'bios' ? 'BIOS' : 'UEFI'}
                    {disk.guest?.firmware === f ? <span className="segment-note"> · detected</span> : null}
                  </span>
                </label>
              ))}
            </div>
          </div>
        </fieldset>
      ) : null}

      <label className="check">
        <input type="checkbox" checked={choices.overwrite} onChange={(e) => update({ overwrite: e.target.checked })} />
        <span>Replace files of the same name if they exist</span>
      </label>
      {choices.overwrite ? <Callout tone="warning">Anything already at the path above is deleted when the conversion finishes.</Callout> : null}
    </Step>
  );
}
