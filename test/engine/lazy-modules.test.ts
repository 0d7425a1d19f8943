// The built CLI loads the decoders of compressed input and the WebAssembly hash only when a run
// needs them: converting a plain VHD must not pay for them at start, and an xz or bzip2 source
// must still find them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertBuilt, ROOT } from '../support/cli';
import { tempDir } from '../support/tmp';
import { MiB, pseudoRandom, writeDynamicVhd } from '../support/vhd-writer';

const LAZY = ['xz-decompress', 'seek-bzip', 'fzstd', 'xxhash-wasm'];

/** The node_modules packages a CLI run in this process loaded, by name. */
function packagesLoadedBy(args: string[]): string[] {
  assertBuilt();
  const script = `
    process.on('exit', () => {
      const names = new Set(Object.keys(require.cache).map((p) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(p)?.[1]).filter(Boolean));
      process.stderr.write('\\nLOADED ' + JSON.stringify([...names]) + '\\n');
    });
    process.argv = [process.argv[0], 'ferry', ...${JSON.stringify(args)}];
    require(${JSON.stringify(join(ROOT, 'out', 'main', 'cli.js'))}).runCli();`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: ROOT });
  const line = /LOADED (.*)/.exec(r.stderr);
  assert.ok(line, `the run reported what it loaded (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(line[1]!) as string[];
}

describe('modules loaded on first use', () => {
  it('a plain VHD converts (and verifies) without the decoders or the WebAssembly hash; an xz source loads xz-decompress', (t) => {
    const dir = tempDir(t);
    const vhd = join(dir, 'plain.vhd');
    writeDynamicVhd(vhd, { size: 8 * MiB, pieces: [{ offset: MiB, data: pseudoRandom(MiB, 7) }] });
    const plain = packagesLoadedBy(['convert', vhd, join(dir, 'plain.vmdk')]);
    for (const name of LAZY) assert.ok(!plain.includes(name), `${name} is not loaded for a plain VHD (loaded: ${plain.join(', ')})`);

    const r = spawnSync('xz', ['-k', '-T1', vhd]);
    if (r.error || r.status !== 0) {
      t.skip('xz is not installed here');
      return;
    }
    const xz = packagesLoadedBy(['convert', `${vhd}.xz`, join(dir, 'from-xz.vmdk')]);
    assert.ok(xz.includes('xz-decompress'), `an xz source loads its decoder (loaded: ${xz.join(', ')})`);
  });
});
