// The words and buttons of main's dialogs, in the language main follows, as plain options
// objects (Electron's OpenDialogOptions / MessageBoxOptions shapes) that main.ts shows.
import { basename } from 'node:path';
import { dialogExtensions } from '../shared/source-names';
import type { Translate } from './translator';

export interface OpenDialogTexts {
  title: string;
  buttonLabel?: string;
  properties: ('openFile' | 'openDirectory' | 'createDirectory' | 'multiSelections')[];
  filters?: { name: string; extensions: string[] }[];
}

export interface QuestionTexts {
  type: 'warning' | 'question';
  /** The first button is the safe answer: default, and what Esc or closing the box answers. */
  buttons: [string, string];
  defaultId: 0;
  cancelId: 0;
  noLink: true;
  message: string;
  detail: string;
}

export function sourceDialog(t: Translate): OpenDialogTexts {
  return {
    title: t('dialogs.chooseDisk'),
    properties: ['openFile'],
    filters: [
      { name: t('dialogs.diskImages'), extensions: dialogExtensions() },
      { name: t('dialogs.allFiles'), extensions: ['*'] },
    ],
  };
}

/** Several disks, or a machine's configuration, at once. */
export function sourcesDialog(t: Translate): OpenDialogTexts {
  return {
    title: t('dialogs.chooseSources'),
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: t('dialogs.disksAndMachines'), extensions: dialogExtensions() },
      { name: t('dialogs.allFiles'), extensions: ['*'] },
    ],
  };
}

export function destinationDialog(t: Translate): OpenDialogTexts {
  return { title: t('dialogs.chooseFolder'), buttonLabel: t('dialogs.choose'), properties: ['openDirectory', 'createDirectory'] };
}

/** Asked before a job replaces `path`; button 1 (Replace) is the only yes. */
export function replaceQuestion(t: Translate, path: string): QuestionTexts {
  return {
    type: 'warning',
    buttons: [t('dialogs.keep'), t('dialogs.replace')],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
    message: t('dialogs.replaceMessage', { name: basename(path) }),
    detail: t('dialogs.replaceDetail', { path }),
  };
}

/** Asked when the window closes while a job runs; button 1 (Stop and quit) lets it close. */
export function quitWhileConvertingQuestion(t: Translate): QuestionTexts {
  return {
    type: 'question',
    buttons: [t('dialogs.keepConverting'), t('dialogs.stopAndQuit')],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
    message: t('dialogs.quitMessage'),
    detail: t('dialogs.quitDetail'),
  };
}
