// `npm run build`: type-check every runtime against its own tsconfig (Node engine and tests;
// Electron main and preload against electron.d.ts; the DOM renderer), side by side, then bundle
// them all with electron-vite into out/main, out/preload and out/renderer, and the native addon (libdeflate, XXH3) into out/native.
import { execFileSync, spawn } from 'node:child_process';

const TSC = 'node_modules/typescript/bin/tsc';
const PROJECTS = ['tsconfig.json', 'tsconfig.electron.json', 'tsconfig.renderer.json'];

function typecheck(project) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSC, '-p', project], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ project, code, output }));
  });
}

const results = await Promise.all(PROJECTS.map(typecheck));
const failed = results.filter((r) => r.code !== 0);
for (const r of failed) process.stderr.write(`tsc -p ${r.project}:\n${r.output}`);
if (failed.length > 0) process.exit(1);
execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
// The native addon, where this machine can build it (scripts/build-native.mjs says why not).
execFileSync(process.execPath, ['scripts/build-native.mjs'], { stdio: 'inherit' });
