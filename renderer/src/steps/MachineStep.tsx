// A machine configuration that cannot be converted yet: its disks as found, and why not (a disk
// missing or unreadable, or one from outside its folder the user has not confirmed).
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { MachineInspection } from '../../../shared/api';
import { Button, Callout, Step } from '../components/layout';
import { useWizard } from '../store-context';
import { MachineDisks, machineBlocker } from './MachineDisks';

export function MachineStep({ inspection, checking }: { inspection: MachineInspection; checking: boolean }): ReactElement {
  const back = useWizard((s) => s.back);
  const chooseFile = useWizard((s) => s.chooseFile);
  const confirm = useWizard((s) => s.confirmOutsideDisks);
  const { t } = useTranslation();
  const why = machineBlocker(inspection.machine, false) ?? t('machine.blockedUnreadable');
  return (
    <Step
      title={t('machine.title')}
      subtitle={t('machine.subtitle')}
      actions={
        <>
          <Button kind="ghost" onClick={back}>
            {t('common.back')}
          </Button>
          <Button kind="secondary" onClick={() => void chooseFile()}>
            {t('source.chooseAnother')}
          </Button>
          <span className="spacer" />
          <span className="actions-note" id="machine-why">
            {why}
          </span>
          <Button kind="primary" disabled aria-describedby="machine-why">
            {t('common.next')}
          </Button>
        </>
      }
    >
      <MachineDisks machine={inspection.machine} confirmed={false} checking={checking} onConfirm={(v) => void confirm(v)} />
      <Callout tone="warning" title={t('machine.notYet')}>
        {why}
      </Callout>
    </Step>
  );
}
