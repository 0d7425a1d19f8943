// The language between the page and main, over both transports: the page names the language it
// speaks (checked against the list), main's Language menu reaches the page as an event, and the
// harness shows its menu and takes a menu pick over HTTP, behind the page's token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { FerryApi } from '../../shared/api';
import { createFerryApi } from '../../shared/client';
import type { Language } from '../../shared/i18n/languages';
import { createHandlers } from '../../electron/handlers';
import { memoryTransport } from './memory-transport';
import { createHarnessHost, startHarness, type Harness } from './server';
import { TOKEN_PARAM, socketUrlFor } from './ws-protocol';
import { webSocketTransport, type SocketLike } from './ws-transport';

interface Connected {
  api: FerryApi;
  languageCalls: Language[];
  /** Raw calls, as a page that skips the client's types could make them. */
  invoke(method: 'useLanguage', arg: unknown): Promise<unknown>;
  pickFromMenu(language: Language): void;
  close(): Promise<void>;
}

const transports: [string, () => Promise<Connected>][] = [
  [
    'in memory',
    async () => {
      const { host, jobs, languageCalls } = createHarnessHost({});
      const transport = memoryTransport(createHandlers(host), host);
      return {
        api: createFerryApi(transport, () => ''),
        languageCalls,
        invoke: (method, arg) => transport.invoke(method, arg),
        pickFromMenu: (l) => host.chooseLanguageFromMenu(l),
        async close() {
          transport.close();
          await jobs.cancelAll();
          await host.shutdown();
          host.dispose();
        },
      };
    },
  ],
  [
    'over the WebSocket',
    async () => {
      const harness = await startHarness({});
      const socket = new WebSocket(socketUrlFor(harness.url), { origin: new URL(harness.url).origin });
      const transport = webSocketTransport(socket as unknown as SocketLike);
      return {
        api: createFerryApi(transport, () => ''),
        languageCalls: harness.languageCalls,
        invoke: (method, arg) => transport.invoke(method, arg),
        pickFromMenu: (l) => harness.chooseLanguageFromMenu(l),
        async close() {
          transport.close();
          await harness.close();
        },
      };
    },
  ],
];

for (const [name, connect] of transports) {
  describe(`the language ${name}`, () => {
    let c: Connected;
    before(async () => {
      c = await connect();
    });
    after(async () => {
      await c.close();
    });

    test('the page names the language it speaks; anything not in the list is refused', async () => {
      assert.equal(await c.api.useLanguage('zh-TW'), null);
      assert.deepEqual(c.languageCalls, ['zh-TW']);
      await assert.rejects(c.invoke('useLanguage', 'fr'), /language/);
      await assert.rejects(c.invoke('useLanguage', { language: 'en' }), /language/);
      assert.deepEqual(c.languageCalls, ['zh-TW']);
    });

    test('a pick in main’s Language menu reaches the page, which decides', async () => {
      const got = new Promise<Language>((resolve) => {
        const off = c.api.onChooseLanguage((l) => {
          off();
          resolve(l);
        });
      });
      await new Promise((r) => setTimeout(r, 50)); // the listener is registered on the far side
      c.pickFromMenu('zh-CN');
      assert.equal(await got, 'zh-CN');
      assert.deepEqual(c.languageCalls, ['zh-TW'], 'main did not change language by itself');
    });
  });
}

describe('the harness’s menu over HTTP', () => {
  let harness: Harness;
  const call = async (method: 'GET' | 'POST', path: string, token: string | null = new URL(harness.url).searchParams.get(TOKEN_PARAM)) => {
    const url = new URL(path, harness.url);
    if (token !== null) url.searchParams.set(TOKEN_PARAM, token);
    const res = await fetch(url, { method });
    return { status: res.status, body: await res.text() };
  };
  before(async () => {
    harness = await startHarness({});
  });
  after(async () => {
    await harness.close();
  });

  test('GET /__ferry/menu shows the menu in the language a page last named, its language checked', async () => {
    const english = JSON.parse((await call('GET', '/__ferry/menu')).body);
    assert.deepEqual(english.map((m: { label: string }) => m.label), ['File', 'Edit', 'View', 'Window']);
    await harness.host.useLanguage('zh-TW');
    const menu = JSON.parse((await call('GET', '/__ferry/menu')).body);
    assert.deepEqual(menu.map((m: { label: string }) => m.label), ['檔案', '編輯', '檢視', '視窗']);
    assert.deepEqual(menu[2].submenu.at(-1), {
      label: '語言',
      submenu: [
        { label: 'English', checked: false },
        { label: '简体中文', checked: false },
        { label: '繁體中文', checked: true },
      ],
    });
  });

  test('POST /__ferry/menu/language?language=… is a pick in the menu; a wrong language is 400, no token 403', async () => {
    const events: unknown[] = [];
    const off = harness.host.onEvent((e) => events.push(e));
    assert.equal((await call('POST', '/__ferry/menu/language?language=en')).status, 204);
    assert.deepEqual(events, [{ name: 'chooseLanguage', payload: 'en' }]);
    const wrong = await call('POST', '/__ferry/menu/language?language=fr');
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /en, zh-CN, zh-TW/);
    assert.equal((await call('POST', '/__ferry/menu/language?language=en', null)).status, 403);
    assert.equal((await call('GET', '/__ferry/menu', '0'.repeat(32))).status, 403);
    assert.equal((await call('GET', '/__ferry/menu/language')).status, 405);
    assert.equal(events.length, 1);
    off();
  });
});
