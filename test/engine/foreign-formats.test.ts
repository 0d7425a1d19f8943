// Disk formats of other tools: recognised by signature and refused with the way out, never read
// as a raw disk by their name (a cloud image named .img is often qcow2) nor called "not a disk".
// Images made with qemu-img where it writes the format; the ESXi and EWF headers by hand.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FerryError } from '../../worker/engine/errors';
import { openSource } from '../../worker/engine/sources/open';
import { tempDir } from '../support/tmp';
import { runOk } from '../support/tools';

async function refusal(path: string): Promise<FerryError> {
  try {
    const s = await openSource(path);
    await s.close();
  } catch (err) {
    assert.ok(err instanceof FerryError, String(err));
    return err;
  }
  assert.fail(`${path} was opened`);
}

function withHeader(path: string, head: Buffer, size = 1024 * 1024): string {
  const b = Buffer.alloc(size);
  head.copy(b);
  writeFileSync(path, b);
  return path;
}

describe('other tools’ disk formats', () => {
  it('a qcow2 named .img (as cloud images are) is refused, not copied as a raw disk', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'jammy-server-cloudimg-amd64.img');
    runOk('qemu-img', ['create', '-q', '-f', 'qcow2', path, '64M']);
    const err = await refusal(path);
    assert.equal(err.code, 'E_UNSUPPORTED');
    assert.match(err.message, /QEMU qcow2 image/);
    assert.match(err.hint ?? '', /qemu-img convert -f qcow2 -O raw/);
  });

  it('VirtualBox VDI and Parallels images name their converter', async (t) => {
    const dir = tempDir(t);
    const vdi = join(dir, 'disk.vdi');
    runOk('qemu-img', ['create', '-q', '-f', 'vdi', vdi, '64M']);
    const a = await refusal(vdi);
    assert.equal(a.code, 'E_UNSUPPORTED');
    assert.match(a.message, /VirtualBox VDI/);
    assert.match(a.hint ?? '', /VBoxManage clonemedium/);
    const hds = join(dir, 'disk.hds');
    runOk('qemu-img', ['create', '-q', '-f', 'parallels', hds, '64M']);
    const b = await refusal(hds);
    assert.equal(b.code, 'E_UNSUPPORTED');
    assert.match(b.message, /Parallels/);
  });

  it('an ESXi SEsparse or vmfsSparse extent named .vmdk says to consolidate the snapshots', async (t) => {
    const dir = tempDir(t);
    const se = Buffer.alloc(16);
    se.writeBigUInt64LE(0xcafebaben, 0);
    se.writeBigUInt64LE(0x200000001n, 8);
    const a = await refusal(withHeader(join(dir, 'vm-000001-sesparse.vmdk'), se));
    assert.equal(a.code, 'E_UNSUPPORTED');
    assert.match(a.message, /SEsparse/);
    assert.match(a.hint ?? '', /Consolidate/);
    const b = await refusal(withHeader(join(dir, 'vm-000001-delta.vmdk'), Buffer.from('COWD\x01\x00\x00\x00', 'latin1')));
    assert.match(b.message, /vmfsSparse/);
  });

  it('an EnCase E01 image says to export it to raw', async (t) => {
    const dir = tempDir(t);
    const err = await refusal(withHeader(join(dir, 'evidence.E01'), Buffer.from('EVF\x09\x0d\x0a\xff\x00\x01', 'latin1')));
    assert.equal(err.code, 'E_UNSUPPORTED');
    assert.match(err.hint ?? '', /ewfexport/);
  });

  it('a descriptor whose extent is SESPARSE or VMFSRDM is unsupported (valid, only ESXi reads it), not "damaged"', async (t) => {
    const dir = tempDir(t);
    const desc = (type: string, file: string) =>
      `# Disk DescriptorFile\nversion=1\nencoding="UTF-8"\nCID=fffffffe\nparentCID=ffffffff\ncreateType="${type === 'SESPARSE' ? 'seSparse' : 'vmfsRawDeviceMap'}"\n\n# Extent description\nRW 2048 ${type} "${file}"\n\n#DDB\nddb.adapterType = "lsilogic"\n`;
    for (const [type, file, what] of [
      ['SESPARSE', 'vm-000001-sesparse.vmdk', /SEsparse snapshot/],
      ['VMFSRDM', 'vm-rdm.vmdk', /raw device mapping/],
    ] as const) {
      const path = join(dir, `${type}.vmdk`);
      writeFileSync(path, desc(type, file));
      const err = await refusal(path);
      assert.equal(err.code, 'E_UNSUPPORTED', err.message);
      assert.match(err.message, what);
      assert.match(err.hint ?? '', /vmkfstools -i/);
    }
  });
});

describe('Hyper-V state files', () => {
  it('a .vmrs (the .vmcx container) given as a disk says which file to give instead', async (t) => {
    const dir = tempDir(t);
    const head = Buffer.alloc(46);
    head.writeUInt32LE(0x01282014, 0);
    head.writeUInt32LE(0x400, 10);
    const err = await refusal(withHeader(join(dir, '993F7B33-6057-4D1E-A1FE-A1A1D77BE974.VMRS'), head, 64 * 1024));
    assert.equal(err.code, 'E_UNSUPPORTED');
    assert.match(err.message, /Hyper-V key-value store/);
    assert.match(err.hint ?? '', /\.vmcx/);
  });
});
