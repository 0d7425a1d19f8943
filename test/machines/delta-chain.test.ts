// VMware snapshot (delta) VMDKs as sources: chains made by qemu-img, read merged, compared by qemu.
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';
import { qemuCompare, runOk } from '../support/tools';


/** base ← snp1 ← snp2, each writing something; snp2 also zeroes a grain its ancestors wrote. */
function makeChain(dir: string): void {
  const q = (args: string[]) => runOk(args[0]!, args.slice(1), { cwd: dir });
  q(['qemu-img', 'create', '-q', '-f', 'vmdk', 'base.vmdk', '8M']);
  q(['qemu-io', '-f', 'vmdk', '-c', 'write -P 0x11 0 2M', 'base.vmdk']);
  q(['qemu-img', 'create', '-q', '-f', 'vmdk', '-b', 'base.vmdk', '-F', 'vmdk', 'snp1.vmdk']);
  q(['qemu-io', '-f', 'vmdk', '-c', 'write -P 0x5a 1M 64k', 'snp1.vmdk']);
  q(['qemu-img', 'create', '-q', '-f', 'vmdk', '-o', 'zeroed_grain=on', '-b', 'snp1.vmdk', '-F', 'vmdk', 'snp2.vmdk']);
  q(['qemu-io', '-f', 'vmdk', '-c', 'write -z 0 64k', '-c', 'write -P 0x77 3M 4k', 'snp2.vmdk']);
}

/** Rewrites a same-length piece of a VMDK's embedded descriptor in place; returns what was written. */
function editDescriptor(path: string, from: RegExp, to: string | ((found: string) => string)): string {
  const bytes = readFileSync(path);
  const text = bytes.toString('latin1');
  const m = from.exec(text);
  assert.ok(m, `${from} in ${path}`);
  const replacement = typeof to === 'string' ? to : to(m[0]);
  assert.equal(replacement.length, m[0].length);
  bytes.write(replacement, m.index, 'latin1');
  writeFileSync(path, bytes);
  return replacement;
}

describe('VMDK snapshot chains', () => {
  it('a chain two deep converts to exactly what qemu reads (unwritten grains from the parent, zeroed grains as zeros)', async (t) => {
    const dir = tempDir(t);
    makeChain(dir);
    const out = join(dir, 'out.vmdk');
    const r = await ferry(['convert', join(dir, 'snp2.vmdk'), out, '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(qemuCompare(join(dir, 'snp2.vmdk'), 'vmdk', out, 'vmdk').code, 0, 'qemu-img compare: identical');
    // And not merely the top disk: the base's pattern and the middle disk's are there.
    runOk('qemu-io', ['-f', 'vmdk', '-r', '-c', 'read -P 0 0 64k', '-c', 'read -P 0x11 64k 64k', '-c', 'read -P 0x5a 1M 64k', '-c', 'read -P 0x77 3M 4k', out]);
    const info = await ferry(['inspect', join(dir, 'snp2.vmdk'), '--json']);
    const disk = JSON.parse(info.stdout) as { variant: string; parents: Array<{ path: string; variant: string }> };
    assert.equal(disk.variant, 'differencing');
    assert.deepEqual(disk.parents, [{ path: join(dir, 'snp1.vmdk'), variant: 'differencing' }, { path: join(dir, 'base.vmdk'), variant: 'sparse' }]);
  });

  it('a missing parent, a parent whose CID changed, and a loop are errors naming the file (exit 2)', async (t) => {
    const dir = tempDir(t);
    makeChain(dir);
    const snp2 = join(dir, 'snp2.vmdk');

    renameSync(join(dir, 'base.vmdk'), join(dir, 'moved.vmdk'));
    let r = await ferry(['inspect', snp2, '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.json[0]!.code, 'E_PARENT_MISSING');
    assert.match(String(r.json[0]!.message), /snp1\.vmdk: its parent "base\.vmdk" was not found/);
    renameSync(join(dir, 'moved.vmdk'), join(dir, 'base.vmdk'));

    // qemu writes the CID without leading zeros: keep its length, change its first digit.
    const cid = editDescriptor(join(dir, 'base.vmdk'), /\nCID=[0-9a-f]+/, (s) => `\nCID=${s[5] === 'b' ? 'c' : 'b'}${s.slice(6)}`).slice(5).padStart(8, '0');
    r = await ferry(['inspect', snp2, '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.json[0]!.code, 'E_PARENT_MISMATCH');
    assert.match(String(r.json[0]!.message), new RegExp(`snp1\\.vmdk: its parent .*base\\.vmdk has content id \\(CID\\) ${cid}`));

    editDescriptor(join(dir, 'snp1.vmdk'), /parentFileNameHint="base\.vmdk"/, 'parentFileNameHint="snp2.vmdk"');
    r = await ferry(['inspect', snp2, '--json']);
    assert.equal(r.code, 2);
    assert.equal(r.json[0]!.code, 'E_PARENT_LOOP');
    assert.match(String(r.json[0]!.message), /snp1\.vmdk: its parent .*snp2\.vmdk.*loops/);
  });

  it('a deep chain (12 snapshots) reads every layer', async (t) => {
    const dir = tempDir(t);
    const q = (args: string[]) => runOk(args[0]!, args.slice(1), { cwd: dir });
    q(['qemu-img', 'create', '-q', '-f', 'vmdk', 'd0.vmdk', '16M']);
    for (let i = 1; i <= 12; i++) {
      q(['qemu-img', 'create', '-q', '-f', 'vmdk', '-b', `d${i - 1}.vmdk`, '-F', 'vmdk', `d${i}.vmdk`]);
      q(['qemu-io', '-f', 'vmdk', '-c', `write -P ${i} ${i}M 64k`, `d${i}.vmdk`]);
    }
    const out = join(dir, 'out.vmdk');
    const r = await ferry(['convert', join(dir, 'd12.vmdk'), out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(qemuCompare(join(dir, 'd12.vmdk'), 'vmdk', out, 'vmdk').code, 0);
  });
});
