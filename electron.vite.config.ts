import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'electron-vite';

const root = import.meta.dirname;

/**
 * The dev server's React refresh needs an inline script and a WebSocket, which the production
 * CSP forbids; relax it for `electron-vite dev` only. Built HTML keeps the strict policy.
 */
function devCsp(): Plugin {
  return {
    name: 'ferry-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace(/script-src 'self'/, "script-src 'self' 'unsafe-inline'").replace(/connect-src 'self'/, "connect-src 'self' ws: http:").replace(/style-src 'self'/, "style-src 'self' 'unsafe-inline'"),
  };
}

// Every runtime in one build. Main and preload are CommonJS (a sandboxed preload must be one
// CJS file; electron-vite + Vite 8 ESM mains have emitted broken entries). The main bundle also
// carries the engine's plain-Node entries: the worker_threads entry and the CLI.
export default defineConfig({
  main: {
    build: {
      target: 'node20',
      minify: false,
      sourcemap: true,
      rolldownOptions: {
        input: {
          index: resolve(root, 'electron/main.ts'),
          cli: resolve(root, 'worker/cli.ts'),
          thread: resolve(root, 'worker/thread.ts'),
        },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      target: 'node20',
      minify: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    plugins: [react(), devCsp()],
    build: {
      target: 'chrome140',
      minify: true,
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
      },
    },
  },
});
