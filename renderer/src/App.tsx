// The window: brand and stepper on top, an optional notice, the current step, and the drop overlay.
import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguagePicker } from './components/LanguagePicker';
import { Stepper } from './components/Stepper';
import { CloseIcon, InfoIcon, LogoMark, UploadIcon } from './components/icons';
import { useWizard } from './store-context';
import type { Phase } from './store/phase';
import { ConvertStep } from './steps/ConvertStep';
import { DiskTypeStep } from './steps/DiskTypeStep';
import { DoneStep } from './steps/DoneStep';
import { ErrorStep } from './steps/ErrorStep';
import { MachineStep } from './steps/MachineStep';
import { QueueDoneStep } from './steps/QueueDoneStep';
import { QueueStep } from './steps/QueueStep';
import { SaveStep } from './steps/SaveStep';
import { SourceStep } from './steps/SourceStep';
import { WelcomeStep } from './steps/WelcomeStep';
import { useWindowDrop } from './use-window-drop';
import './App.css';

function CurrentStep({ phase }: { phase: Phase }): ReactElement {
  switch (phase.kind) {
    case 'welcome':
      return <WelcomeStep inspecting={null} />;
    case 'inspecting':
      return <WelcomeStep inspecting={{ path: phase.path, progress: phase.progress }} />;
    case 'inspectingMany':
      return <WelcomeStep inspecting={{ path: phase.paths[phase.index]!, progress: null, of: { index: phase.index, count: phase.paths.length } }} />;
    case 'machine':
      return <MachineStep inspection={phase.inspection} checking={phase.checking} />;
    case 'source':
      return <SourceStep setup={phase.setup} />;
    case 'diskType':
      return <DiskTypeStep setup={phase.setup} />;
    case 'save':
      return <SaveStep setup={phase.setup} />;
    case 'starting':
      return <ConvertStep setup={phase.setup} progress={null} unpacks={false} cancelling={false} starting />;
    case 'converting':
      return <ConvertStep setup={phase.setup} progress={phase.progress} unpacks={phase.unpacks} cancelling={phase.cancelling} starting={false} />;
    case 'done':
      return <DoneStep setup={phase.setup} result={phase.result} />;
    case 'queue':
      return <QueueStep setup={phase.setup} items={phase.items} continueAfterFailure={phase.continueAfterFailure} stopping={phase.stopping} />;
    case 'queueDone':
      return <QueueDoneStep items={phase.items} />;
    case 'failed':
      return <ErrorStep error={phase.error} recovery={phase.recovery} />;
  }
}

function NoticeBar(): ReactElement | null {
  const notice = useWizard((s) => s.notice);
  const dismiss = useWizard((s) => s.dismissNotice);
  const { t } = useTranslation();
  if (!notice) return null;
  return (
    <div className={`notice notice-${notice.tone}`} role="status">
      <InfoIcon size={18} />
      <span className="notice-text">{notice.text}</span>
      <button type="button" className="icon-btn" onClick={dismiss} aria-label={t('app.dismiss')}>
        <CloseIcon size={16} />
      </button>
    </div>
  );
}

export function App(): ReactElement {
  const phase = useWizard((s) => s.phase);
  const openDroppedFiles = useWizard((s) => s.openDroppedFiles);
  const { t } = useTranslation();
  const accepting = phase.kind !== 'starting' && phase.kind !== 'converting' && phase.kind !== 'queue';
  const dragging = useWindowDrop(accepting, (files) => void openDroppedFiles(files));
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <LogoMark size={28} />
          <span className="brand-name">Ferry</span>
        </div>
        <Stepper phase={phase} />
        <LanguagePicker />
      </header>
      <NoticeBar />
      <main className="main" key={phase.kind === 'starting' ? 'converting' : phase.kind === 'inspectingMany' ? 'inspecting' : phase.kind}>
        <CurrentStep phase={phase} />
      </main>
      {dragging ? (
        <div className={accepting ? 'drop-overlay' : 'drop-overlay is-refusing'} aria-hidden="true">
          <div className="drop-overlay-inner">
            <UploadIcon size={36} />
            <p>{accepting ? t('app.dropToOpen') : t('app.dropRefused')}</p>
          </div>
        </div>
      ) : null}
    </div>
  );
}
