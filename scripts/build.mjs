// `npm run build`: type-check every runtime against its own tsconfig (Node engine and tests;
// Electron main and preload against electron.d.ts; the DOM renderer), then bundle them all
// with electron-vite into out/main, out/preload and out/renderer.
import { execFileSync } from 'node:child_process';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
for (const project of ['tsconfig.json', 'tsconfig.electron.json', 'tsconfig.renderer.json']) {
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project]);
}
run(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build']);
