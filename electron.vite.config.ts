import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

// One build for every runtime. The main-process bundle also carries the engine's two
// plain-Node entries: the worker_threads entry (spawned by JobService) and the CLI.
export default defineConfig({
  main: {
    build: {
      target: 'node20',
      minify: false,
      sourcemap: true,
      rolldownOptions: {
        input: {
          cli: resolve(root, 'worker/cli.ts'),
          thread: resolve(root, 'worker/thread.ts'),
        },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
});
