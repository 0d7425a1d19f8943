// The application menu as plain data (Electron's template shape, typed here without Electron):
// every label from the catalogues, and a Language menu that names each language in its own
// script. main.ts hands the template to Menu.buildFromTemplate and rebuilds it when the page
// says it speaks another language.
import { LANGUAGES, type Language } from '../shared/i18n/languages';
import type { Translate } from './translator';

/** The roles this menu uses (a subset of Electron's, so a template here is one Electron takes). */
export type MenuRole =
  | 'about' | 'services' | 'hide' | 'hideOthers' | 'unhide' | 'quit' | 'close'
  | 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll'
  | 'reload' | 'toggleDevTools' | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen'
  | 'minimize' | 'zoom' | 'front';

export interface MenuItem {
  label?: string;
  role?: MenuRole;
  type?: 'separator' | 'radio' | 'submenu';
  accelerator?: string;
  checked?: boolean;
  submenu?: MenuItem[];
  click?: () => void;
}

export interface MenuOptions {
  t: Translate;
  /** The language the page speaks: its item is the checked one. */
  language: Language;
  isMac: boolean;
  /** Packaged apps have no reload or developer tools. */
  isPackaged: boolean;
  openDisk(): void;
  /** The user picked a language in the menu (the page applies and remembers it). */
  chooseLanguage(language: Language): void;
}

const separator: MenuItem = { type: 'separator' };

/** Each language in its own script, whatever the menu speaks; radio items, the page's checked. */
export function languageItems(language: Language, choose: (language: Language) => void): MenuItem[] {
  return LANGUAGES.map((l) => ({ label: l.name, type: 'radio', checked: l.code === language, click: () => choose(l.code) }));
}

export function menuTemplate(o: MenuOptions): MenuItem[] {
  const { t } = o;
  const role = (r: MenuRole, label: string): MenuItem => ({ role: r, label });
  const appMenu: MenuItem = {
    label: 'Ferry',
    submenu: [role('about', t('menu.about')), separator, role('services', t('menu.services')), separator, role('hide', t('menu.hide')), role('hideOthers', t('menu.hideOthers')), role('unhide', t('menu.unhide')), separator, role('quit', t('menu.quitApp'))],
  };
  const file: MenuItem = {
    label: t('menu.file'),
    submenu: [{ label: t('menu.openDisk'), accelerator: 'CmdOrCtrl+O', click: o.openDisk }, separator, o.isMac ? role('close', t('menu.closeWindow')) : role('quit', t('menu.quit'))],
  };
  const edit: MenuItem = {
    label: t('menu.edit'),
    submenu: [role('undo', t('menu.undo')), role('redo', t('menu.redo')), separator, role('cut', t('menu.cut')), role('copy', t('menu.copy')), role('paste', t('menu.paste')), role('selectAll', t('menu.selectAll'))],
  };
  const view: MenuItem = {
    label: t('menu.view'),
    submenu: [
      ...(o.isPackaged ? [] : [role('reload', t('menu.reload')), role('toggleDevTools', t('menu.toggleDevTools')), separator]),
      role('resetZoom', t('menu.resetZoom')),
      role('zoomIn', t('menu.zoomIn')),
      role('zoomOut', t('menu.zoomOut')),
      separator,
      role('togglefullscreen', t('menu.toggleFullScreen')),
      separator,
      { label: t('menu.language'), type: 'submenu', submenu: languageItems(o.language, o.chooseLanguage) },
    ],
  };
  const window: MenuItem = {
    label: t('menu.window'),
    submenu: o.isMac ? [role('minimize', t('menu.minimize')), role('zoom', t('menu.zoom')), separator, role('front', t('menu.front'))] : [role('minimize', t('menu.minimize')), role('close', t('menu.closeWindow'))],
  };
  return [...(o.isMac ? [appMenu] : []), file, edit, view, window];
}

/** The labels of a template as an outline (what the harness shows and the tests compare). */
export interface MenuOutline {
  label: string;
  checked?: boolean;
  submenu?: MenuOutline[];
}

export function outline(items: readonly MenuItem[]): MenuOutline[] {
  return items
    .filter((i) => i.type !== 'separator')
    .map((i) => ({
      label: i.label ?? '',
      ...(i.type === 'radio' ? { checked: i.checked === true } : {}),
      ...(i.submenu ? { submenu: outline(i.submenu) } : {}),
    }));
}
