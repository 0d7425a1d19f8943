// `npm test`: build, then run every test/**/*.test.ts with Node's test runner (TypeScript via tsx).
// Arguments narrow the run to files or folders: `npm test -- test/engine`.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const skipBuild = process.env.FERRY_SKIP_BUILD === '1';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue;
      collect(join(path, entry), out);
    }
  } else if (path.endsWith('.test.ts')) out.push(relative(root, path));
  return out;
}

const files = (args.length ? args : ['test']).flatMap((a) => collect(join(root, a), []));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
if (!skipBuild) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, FERRY_ROOT: root },
});
process.exit(result.status ?? 1);
