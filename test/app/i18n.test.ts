// The wizard's language: picked from the system's preference, changed and remembered in the
// page's own storage, applied to <html lang> and the title; numbers and sizes by locale; the
// error screen's hint by code.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { currentLanguage, i18n, pickLanguage } from '../../renderer/src/i18n';
import { LANGUAGE_STORAGE_KEY, chooseLanguage, startLanguage } from '../../renderer/src/i18n/language';
import { shareLanguageWithHost } from '../../renderer/src/i18n/host-language';
import type { Language } from '../../shared/i18n/languages';
import { formatBytes, formatExactBytes, formatPercent, formatRate, formatSeconds, formatTimeLeft } from '../../renderer/src/format';
import { errorHint, errorTitle } from '../../renderer/src/steps/labels';
import { guestLabel } from '../../renderer/src/guests';
import { nameFromPath, problemsWith } from '../../renderer/src/store/choices';

const g = globalThis as unknown as { localStorage?: unknown; document?: unknown };

/** A page's storage and document, as much of them as the language code touches. */
function fakePage(stored: Record<string, string> = {}): { store: Record<string, string>; doc: { documentElement: { lang: string }; title: string } } {
  const store = { ...stored };
  const doc = { documentElement: { lang: 'en' }, title: '' };
  g.localStorage = { getItem: (k: string) => store[k] ?? null, setItem: (k: string, v: string) => void (store[k] = v) };
  g.document = doc;
  return { store, doc };
}

afterEach(async () => {
  delete g.localStorage;
  delete g.document;
  await i18n.changeLanguage('en');
});

describe('which language', () => {
  test('the first preferred language the wizard speaks; Simplified Chinese tags get zh-CN, Traditional ones zh-TW', () => {
    assert.equal(pickLanguage(['zh-CN', 'en-US']), 'zh-CN');
    assert.equal(pickLanguage(['zh']), 'zh-CN');
    assert.equal(pickLanguage(['zh-Hans-CN']), 'zh-CN');
    assert.equal(pickLanguage(['zh_SG']), 'zh-CN');
    assert.equal(pickLanguage(['zh-TW', 'en']), 'zh-TW');
    assert.equal(pickLanguage(['zh-HK']), 'zh-TW');
    assert.equal(pickLanguage(['zh_MO']), 'zh-TW');
    assert.equal(pickLanguage(['zh-Hant', 'zh-CN']), 'zh-TW');
    assert.equal(pickLanguage(['zh-Hant-HK', 'zh-CN']), 'zh-TW');
    assert.equal(pickLanguage(['zh-Hant-TW']), 'zh-TW');
    assert.equal(pickLanguage(['zh-Hans-HK']), 'zh-CN', 'the script decides over the region');
    assert.equal(pickLanguage(['zha', 'en']), 'en', 'Zhuang is not Chinese');
    assert.equal(pickLanguage(['de-DE', 'zh-CN']), 'zh-CN');
    assert.equal(pickLanguage(['en-GB', 'zh-CN']), 'en');
    assert.equal(pickLanguage(['fr', 'de']), 'en');
    assert.equal(pickLanguage([]), 'en');
  });

  test('the system decides until the user chooses; the choice is remembered in the page and sets <html lang> and the title', () => {
    const first = fakePage();
    startLanguage(['zh-CN', 'en']);
    assert.equal(currentLanguage(), 'zh-CN');
    assert.equal(first.doc.documentElement.lang, 'zh-CN');
    assert.equal(first.doc.title, 'Ferry');
    assert.equal(first.store[LANGUAGE_STORAGE_KEY], undefined, 'following the system is not a choice');

    chooseLanguage('en');
    assert.equal(currentLanguage(), 'en');
    assert.equal(first.doc.documentElement.lang, 'en');
    assert.equal(first.store[LANGUAGE_STORAGE_KEY], 'en');

    const next = fakePage(first.store);
    startLanguage(['zh-CN']);
    assert.equal(currentLanguage(), 'en', 'the remembered choice wins over the system');
    assert.equal(next.doc.documentElement.lang, 'en');
  });

  test('storage that refuses or holds nonsense: the system decides', () => {
    fakePage({ [LANGUAGE_STORAGE_KEY]: 'klingon' });
    startLanguage(['zh-CN']);
    assert.equal(currentLanguage(), 'zh-CN');
    g.localStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    startLanguage(['en']);
    assert.equal(currentLanguage(), 'en');
    chooseLanguage('zh-CN');
    assert.equal(currentLanguage(), 'zh-CN', 'used for this session even when it cannot be kept');
  });

  test('main hears the page’s language at start and on every change; a pick in main’s menu is applied and remembered by the page', () => {
    const page = fakePage();
    startLanguage(['zh-TW']);
    const told: Language[] = [];
    let menuPick: ((l: Language) => void) | null = null;
    const stop = shareLanguageWithHost({
      useLanguage: async (l) => {
        told.push(l);
        return null;
      },
      onChooseLanguage: (listener) => {
        menuPick = listener;
        return () => (menuPick = null);
      },
    });
    assert.deepEqual(told, ['zh-TW'], 'at start, the system’s language');
    chooseLanguage('en');
    assert.deepEqual(told, ['zh-TW', 'en'], 'the page’s picker');
    menuPick!('zh-CN');
    assert.equal(currentLanguage(), 'zh-CN');
    assert.equal(page.store[LANGUAGE_STORAGE_KEY], 'zh-CN', 'remembered by the page');
    assert.equal(page.doc.documentElement.lang, 'zh-CN');
    assert.deepEqual(told, ['zh-TW', 'en', 'zh-CN'], 'and main is told, so its menu follows');
    stop();
    assert.equal(menuPick, null);
    chooseLanguage('en');
    assert.equal(told.length, 3, 'no longer told once stopped');
  });
});

describe('numbers and words by language', () => {
  test('English: sizes, exact bytes with plural, rates, times, percent', () => {
    assert.equal(formatBytes(800), '800 bytes');
    assert.equal(formatBytes(1), '1 byte');
    assert.equal(formatBytes(1536 * 1024 * 1024), '1.5 GB');
    assert.equal(formatBytes(200 * 1024 * 1024), '200 MB');
    assert.equal(formatExactBytes(1_073_741_824), '1,073,741,824 bytes');
    assert.equal(formatRate(50 * 1024 * 1024), '50 MB/s');
    assert.equal(formatRate(0), '—');
    assert.equal(formatTimeLeft(3), 'a few seconds');
    assert.equal(formatTimeLeft(42), 'about 40 s');
    assert.equal(formatTimeLeft(4800), 'about 1 h 20 min');
    assert.equal(formatTimeLeft(Number.NaN), 'estimating…');
    assert.equal(formatSeconds(4.25), '4.3 s');
    assert.equal(formatSeconds(42.4), '42 s');
    assert.equal(formatPercent(0.426), '42%');
  });

  test('Simplified Chinese: the same scaling, Chinese words and units of time', async () => {
    await i18n.changeLanguage('zh-CN');
    assert.equal(formatBytes(800), '800 字节');
    assert.equal(formatBytes(1536 * 1024 * 1024), '1.5 GB');
    assert.equal(formatExactBytes(1_073_741_824), '1,073,741,824 字节');
    assert.equal(formatRate(50 * 1024 * 1024), '50 MB/秒');
    assert.equal(formatTimeLeft(42), '约 40 秒');
    assert.equal(formatTimeLeft(4800), '约 1 小时 20 分钟');
    assert.equal(formatSeconds(4.25), '4.3 秒');
    assert.equal(formatPercent(0.426), '42%');
    assert.equal(guestLabel('windows9-64'), 'Windows 10（64 位）');
    assert.equal(problemsWith({ ...baseChoices(), name: '' }).name, '请输入名称。');
  });

  test('the name proposed when the source’s gives none is in the language, and is a name the rules accept', async () => {
    assert.equal(nameFromPath('/x/...vhd'), 'Converted disk');
    await i18n.changeLanguage('zh-CN');
    assert.equal(nameFromPath('/x/...vhd'), '转换后的磁盘');
    await i18n.changeLanguage('zh-TW');
    assert.equal(nameFromPath('/x/...vhd'), '轉換後的磁碟');
    assert.equal(nameFromPath('/x/Win 10.vhd'), 'Win 10', 'a name from the file is kept as it is');
  });

  test('Traditional Chinese: Taiwan words, and 64 位元', async () => {
    await i18n.changeLanguage('zh-TW');
    assert.equal(i18n.t('steps.source'), '來源磁碟');
    assert.equal(i18n.t('menu.file'), '檔案');
    assert.equal(guestLabel('windows9-64'), 'Windows 10（64 位元）');
  });

  test('English guest labels and problems read as before', () => {
    assert.equal(guestLabel('windows9-64'), 'Windows 10 (64-bit)');
    assert.equal(guestLabel('other6xlinux-64'), 'Other Linux, 6.x kernel (64-bit)');
    const name = (n: string) => problemsWith({ ...baseChoices(), name: n }).name;
    assert.equal(name('a<b'), 'Names cannot contain < > : " / \\ | ? * or control characters.');
    assert.equal(name('a<b.'), 'Names cannot contain < > : " / \\ | ? * or control characters.', 'the shared rule checks characters first');
    assert.equal(name('...'), 'A name cannot be only dots.');
    assert.equal(name('disk.'), 'A name cannot end with a dot or a space.');
    assert.equal(name('CON'), '"CON" is a name Windows keeps for a device; choose another.');
  });
});

function baseChoices(): Parameters<typeof problemsWith>[0] {
  return {
    layout: 'dynamic', saveAs: 'vm', name: 'Disk', destination: '/tmp', guestOS: 'windows9-64', memoryMB: 4096, cpus: 2, firmware: 'efi',
    controller: 'auto', hwVersion: 'auto', verify: true, overwrite: false, preallocateSplit: false, vhdSizeRule: 'auto',
  } as Parameters<typeof problemsWith>[0];
}

describe('the error screen', () => {
  const error = { code: 'E_CORRUPT', message: 'disk.vhd: the footer checksum is wrong at offset 0x1fe00.', hint: 'Copy the disk again.' } as const;

  test('in English the engine’s own hint, except where the app words it better', () => {
    assert.equal(errorTitle('E_CORRUPT'), 'The disk is damaged');
    assert.equal(errorHint(error), 'Copy the disk again.');
    assert.equal(errorHint({ code: 'E_IO', message: 'x' }), undefined, 'no hint made up where the engine gave none');
    assert.match(errorHint({ code: 'E_EXISTS', message: 'x', hint: 'Pass --overwrite.' }) ?? '', /Replace files of the same name/);
  });

  test('in Chinese a title and hint by code (the engine’s message stays below, as it is)', async () => {
    await i18n.changeLanguage('zh-CN');
    assert.equal(errorTitle('E_CORRUPT'), '磁盘已损坏');
    assert.equal(errorHint(error), '请从原来的位置重新复制磁盘；如果是下载的，请重新下载。');
    assert.ok(errorHint({ code: 'E_IO', message: 'x' }));
  });
});
