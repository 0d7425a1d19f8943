// Every language's message catalogue, for the wizard and for the main process's menu and
// dialogs alike (one set of JSON files, one per language).
import en from './en.json';
import zhCN from './zh-CN.json';
import zhTW from './zh-TW.json';
import type { Language } from './languages';

export type Catalogue = Record<string, unknown>;

export const CATALOGUES: Record<Language, Catalogue> = { en, 'zh-CN': zhCN, 'zh-TW': zhTW };
