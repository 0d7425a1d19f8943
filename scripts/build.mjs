// `npm run build`: type-check everything, then bundle every runtime with electron-vite.
import { execFileSync } from 'node:child_process';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
run(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build']);
