// Main's menu, dialogs and own messages, built under plain Node: every label from the catalogue
// of the language the page speaks, the Language menu naming each language in its own script,
// and a pick there handed to the page rather than applied by main.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { destinationDialog, quitWhileConvertingQuestion, replaceQuestion, sourceDialog } from '../../electron/dialog-texts';
import { FerryHost } from '../../electron/host';
import { menuTemplate, outline, type MenuItem, type MenuOptions } from '../../electron/menu';
import { ENGLISH, chromiumLocale, createTranslator } from '../../electron/translator';
import type { HostEvent } from '../../shared/host-contract';
import type { Language } from '../../shared/i18n/languages';

function menuIn(language: Language, over: Partial<MenuOptions> = {}): { items: MenuItem[]; picked: Language[]; opened: number[] } {
  const picked: Language[] = [];
  const opened: number[] = [];
  const words = createTranslator(language);
  const items = menuTemplate({ t: words.t, language, isMac: false, isPackaged: true, openDisk: () => opened.push(1), chooseLanguage: (l) => picked.push(l), ...over });
  return { items, picked, opened };
}

const languageMenu = (items: MenuItem[]): MenuItem[] => items.flatMap((i) => i.submenu ?? []).find((i) => i.type === 'submenu')!.submenu!;

/** Every label of a template, depth first. */
const allLabels = (items: readonly MenuItem[]): string[] => items.flatMap((i) => [...(i.label ? [i.label] : []), ...allLabels(i.submenu ?? [])]);

describe('the application menu', () => {
  test('in English, Simplified and Traditional Chinese: the menus by their own names, Language under View', () => {
    assert.deepEqual(outline(menuIn('en').items).map((m) => m.label), ['File', 'Edit', 'View', 'Window']);
    assert.deepEqual(outline(menuIn('zh-CN').items).map((m) => m.label), ['文件', '编辑', '查看', '窗口']);
    assert.deepEqual(outline(menuIn('zh-TW').items).map((m) => m.label), ['檔案', '編輯', '檢視', '視窗']);
    const view = outline(menuIn('zh-TW').items)[2]!;
    assert.deepEqual(view.submenu!.map((i) => i.label), ['實際大小', '放大', '縮小', '切換全螢幕', '語言']);
  });

  test('every item has a label from the catalogue: no role is left to Electron’s English', () => {
    for (const isMac of [false, true]) {
      for (const isPackaged of [false, true]) {
        const walk = (items: readonly MenuItem[]): void => {
          for (const i of items) {
            if (i.type !== 'separator') assert.ok(i.label && i.label.length > 0, `${i.role ?? 'an item'} has no label (mac ${isMac}, packaged ${isPackaged})`);
            walk(i.submenu ?? []);
          }
        };
        walk(menuIn('zh-CN', { isMac, isPackaged }).items);
      }
    }
    const chinese = allLabels(menuIn('zh-CN', { isMac: true, isPackaged: false }).items);
    const english = new Set(allLabels(menuIn('en', { isMac: true, isPackaged: false }).items));
    // What stays the same in both: the product's name and the languages' own names.
    assert.deepEqual(chinese.filter((l) => english.has(l)), ['Ferry', 'English', '简体中文', '繁體中文']);
  });

  test('the Language menu names each language in its own script, the page’s checked; a pick goes to the page', () => {
    const { items, picked } = menuIn('zh-CN');
    const langs = languageMenu(items);
    assert.deepEqual(langs.map((i) => [i.label, i.type, i.checked]), [['English', 'radio', false], ['简体中文', 'radio', true], ['繁體中文', 'radio', false]]);
    langs[2]!.click!();
    assert.deepEqual(picked, ['zh-TW']);
  });

  test('macOS gets the app menu and Close Window; others Quit; reload and devtools only unpackaged', () => {
    const mac = outline(menuIn('en', { isMac: true }).items);
    assert.deepEqual(mac.map((m) => m.label), ['Ferry', 'File', 'Edit', 'View', 'Window']);
    assert.deepEqual(mac[0]!.submenu!.map((i) => i.label), ['About Ferry', 'Services', 'Hide Ferry', 'Hide Others', 'Show All', 'Quit Ferry']);
    assert.deepEqual(mac[1]!.submenu!.map((i) => i.label), ['Open Disk…', 'Close Window']);
    assert.deepEqual(outline(menuIn('en').items)[0]!.submenu!.map((i) => i.label), ['Open Disk…', 'Quit']);
    assert.equal(outline(menuIn('en', { isPackaged: false }).items)[2]!.submenu![0]!.label, 'Reload');
    const { items, opened } = menuIn('en');
    items[0]!.submenu![0]!.click!();
    assert.equal(opened.length, 1);
  });
});

describe('main’s dialogs', () => {
  test('open and folder dialogs, in the language main follows', () => {
    const zh = createTranslator('zh-TW').t;
    const source = sourceDialog(zh);
    assert.equal(source.title, '選擇虛擬磁碟');
    assert.deepEqual(source.filters!.map((f) => f.name), ['磁碟映像檔', '所有檔案']);
    assert.ok(source.filters![0]!.extensions.includes('vhd'));
    assert.deepEqual(destinationDialog(zh), { title: '選擇儲存位置', buttonLabel: '選擇', properties: ['openDirectory', 'createDirectory'] });
    assert.equal(sourceDialog(ENGLISH).title, 'Choose a virtual disk');
  });

  test('"replace it?" names the file, keeps the safe answer first, and does not escape the path', () => {
    const path = '/vms/R&D <old>/disk.vmdk';
    assert.deepEqual(replaceQuestion(ENGLISH, path), {
      type: 'warning',
      buttons: ['Keep it', 'Replace'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
      message: 'Replace “disk.vmdk”?',
      detail: `${path} already exists. If you replace it, what is there now is deleted when the conversion finishes.`,
    });
    const zh = replaceQuestion(createTranslator('zh-CN').t, path);
    assert.deepEqual(zh.buttons, ['保留', '替换']);
    assert.equal(zh.message, '要替换“disk.vmdk”吗？');
    assert.ok(zh.detail.startsWith(`${path} 已存在。`));
  });

  test('closing while a job runs', () => {
    assert.deepEqual(quitWhileConvertingQuestion(createTranslator('zh-TW').t).buttons, ['繼續轉換', '停止並結束']);
    assert.equal(quitWhileConvertingQuestion(ENGLISH).message, 'A conversion is still running.');
  });

  test('the translator follows use(), and Chromium’s --lang names Chinese as Chromium does', () => {
    const words = createTranslator('en');
    assert.equal(words.t('menu.file'), 'File');
    words.use('zh-CN');
    assert.equal(words.language, 'zh-CN');
    assert.equal(words.t('menu.file'), '文件');
    assert.deepEqual(['zh-Hans-CN', 'zh-Hant-TW', 'zh-HK', 'zh_SG', 'zh', 'en-GB', 'de'].map(chromiumLocale), ['zh-CN', 'zh-TW', 'zh-TW', 'zh-CN', 'zh-CN', 'en-GB', 'de']);
  });
});

describe('the host and the language', () => {
  const fakeJobs = { inspect: async () => ({ ok: false as const, error: { code: 'E_IO' as const, message: 'x' } }), start: async () => 'j', cancel: () => undefined, onEvent: () => () => undefined };
  const hostWith = (over: Partial<ConstructorParameters<typeof FerryHost>[0]> = {}) =>
    new FerryHost({
      jobs: fakeJobs as never,
      dialogs: { pickSource: async () => null, pickDestination: async () => null },
      shell: { showInFolder: () => undefined, openPath: async () => 'no application is set for .vmx' },
      suggestDestination: () => '/tmp',
      acceptDrop: () => false,
      ...over,
    });

  test('useLanguage reaches main; a pick in the menu is an event for the page, not a change in main', async () => {
    const told: Language[] = [];
    const host = hostWith({ useLanguage: (l) => told.push(l) });
    const events: HostEvent[] = [];
    host.onEvent((e) => events.push(e));
    host.chooseLanguageFromMenu('zh-TW');
    assert.deepEqual(events, [{ name: 'chooseLanguage', payload: 'zh-TW' }]);
    assert.deepEqual(told, []);
    assert.equal(await host.useLanguage('zh-TW'), null);
    assert.deepEqual(told, ['zh-TW']);
  });

  test('"Open in VMware" failures in the language main follows; English stays word for word', async () => {
    const english = hostWith();
    english.grants.outputs.add('/vms/a/a.vmx');
    assert.deepEqual(await english.openInVmware('/vms/a/a.vmx'), {
      ok: false,
      error: {
        code: 'E_IO',
        message: 'The virtual machine could not be opened: no application is set for .vmx',
        hint: 'Install VMware Workstation (Windows, Linux) or Fusion (macOS), or open the .vmx from its File menu.',
      },
    });
    const words = createTranslator('en');
    const host = hostWith({ t: words.t });
    host.grants.outputs.add('/vms/a/a.vmx');
    words.use('zh-TW');
    const answer = await host.openInVmware('/vms/a/a.vmx');
    assert.ok(!answer.ok);
    assert.equal(answer.error.message, '無法開啟虛擬機器：no application is set for .vmx');
    assert.match(answer.error.hint!, /^請安裝 VMware Workstation/);
    const refused = await host.showInFolder('/elsewhere');
    assert.ok(!refused.ok);
    assert.equal(refused.error.message, 'Ferry 只能顯示和開啟它自啟動以來產生的內容。');
  });

  test('refusals of a request, in the language main follows: a disk nobody chose, a name that cannot be a file', async () => {
    const words = createTranslator('zh-CN');
    const host = hostWith({ t: words.t });
    const request = { kind: 'vm', source: '/d/a.vhd', destDir: '/out', name: 'a', verify: true, overwrite: false } as never;
    assert.deepEqual(await host.start(request), {
      ok: false,
      error: { code: 'E_PERMISSION', message: 'Ferry 只能使用你选择的磁盘。', hint: '请把磁盘拖放到窗口中，或使用“选择文件…”/“选择文件夹…”。' },
    });
    host.grants.sources.add('/d/a.vhd');
    host.grants.destinations.add('/out');
    const named = await host.start({ kind: 'vm', source: '/d/a.vhd', destDir: '/out', name: 'CON:', verify: true, overwrite: false } as never);
    assert.ok(!named.ok);
    assert.equal(named.error.message, '“CON:”不能用作文件名。');
    const english = hostWith();
    const refused = await english.start(request);
    assert.ok(!refused.ok);
    assert.equal(refused.error.message, 'Ferry can only use disks you chose.', 'English word for word as before');
  });
});
