// `npm run harness`: the harness as a process, configured by the environment (a stable
// contract external checks rely on):
//   FERRY_PICK_SOURCE   what "Choose file…" answers
//   FERRY_PICK_SOURCES  what "Choose file…" answers when several are chosen, separated by the OS's
//                       path delimiter (default: FERRY_PICK_SOURCE alone)
//   FERRY_PICK_DEST     what "Choose folder…" answers (and the suggested destination)
//   FERRY_DROP_DIR      dropped files resolve by name inside this folder
//   FERRY_HARNESS_PORT  a fixed port (default: any free one)
//   FERRY_LAUNCH_FILES  disks "opened from the OS", separated by the OS's path delimiter
//   FERRY_CONFIRM_OVERWRITE  what main's "replace it?" dialog answers: yes or no (default no)
// Prints FERRY_HARNESS_LANGUAGE=<code> each time a page says which language it speaks; main's
// menu is read at GET /__ferry/menu and a language picked in it with POST
// /__ferry/menu/language?language=<code> (both with the URL's token).
// Prints `FERRY_HARNESS_URL=http://127.0.0.1:<port>/?token=<hex>` once ready (only a page opened
// at that URL can use the bridge); stops on SIGTERM or SIGINT.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ROOT, confirmAnswerFrom, startHarness, type ConfirmAnswer } from './server';

async function main(): Promise<void> {
  for (const built of ['out/renderer/index.html', 'out/main/thread.js']) {
    if (!existsSync(join(ROOT, built))) {
      console.error(`harness: ${built} is missing; run \`npm run build\` first.`);
      process.exit(1);
    }
  }
  const env = process.env;
  let confirmOverwrite: ConfirmAnswer;
  try {
    confirmOverwrite = confirmAnswerFrom(env.FERRY_CONFIRM_OVERWRITE);
  } catch (err) {
    console.error(`harness: ${(err as Error).message}`);
    process.exit(1);
  }
  const harness = await startHarness({
    pickSource: env.FERRY_PICK_SOURCE || null,
    pickSources: env.FERRY_PICK_SOURCES ? env.FERRY_PICK_SOURCES.split(delimiter).filter(Boolean) : null,
    pickDest: env.FERRY_PICK_DEST || null,
    dropDir: env.FERRY_DROP_DIR || null,
    launchFiles: env.FERRY_LAUNCH_FILES ? env.FERRY_LAUNCH_FILES.split(delimiter).filter(Boolean) : [],
    port: env.FERRY_HARNESS_PORT ? Number(env.FERRY_HARNESS_PORT) : 0,
    onShell: (action, path) => console.log(`FERRY_HARNESS_${action === 'showInFolder' ? 'SHOW_IN_FOLDER' : 'OPEN'}=${path}`),
    confirmOverwrite,
    onConfirm: (path) => console.log(`FERRY_HARNESS_CONFIRM_OVERWRITE=${path}`),
    onLanguage: (language) => console.log(`FERRY_HARNESS_LANGUAGE=${language}`),
  });
  console.log(`FERRY_HARNESS_URL=${harness.url}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void harness.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`harness: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
