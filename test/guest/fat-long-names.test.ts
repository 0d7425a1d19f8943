// A long (VFAT) name left over in front of a short entry it does not belong to, as on a FAT
// volume whose file was renamed or replaced by a tool that kept only 8.3 names (seen in the
// public test images of msuhanov's dfir_ntfs): the checksum does not match, so the file goes by
// its short name, as mtools and Windows read it. The image is made with mkfs.fat and mtools here.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openGuestFs } from '../../worker/engine/guest/fs/open';
import { fileSource, run, tempDir } from './helpers';

let dir: string;
before(() => {
  dir = tempDir('fat-lfn');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a long name whose checksum is not that of the following short entry is ignored', async () => {
  const img = join(dir, 'fat16.img');
  run('truncate', ['-s', '16M', img]);
  run('mkfs.fat', ['-F', '16', img]);
  const host = join(dir, 'long_name_test.txt');
  writeFileSync(host, 'hello\n');
  run('mcopy', ['-i', img, host, '::/long_name_test.txt']);
  run('mcopy', ['-i', img, host, '::/Kept Long Name.txt']);
  const raw = readFileSync(img);
  const shortAt = raw.indexOf(Buffer.from('LONG_N~1TXT', 'latin1'));
  assert.ok(shortAt > 0, 'mtools wrote the short entry LONG_N~1.TXT');
  raw.write('SHORT   TXT', shortAt, 'latin1');
  writeFileSync(img, raw);

  const mtools = run('mdir', ['-b', '-i', img, '::/']).toString('utf8');
  assert.match(mtools, /SHORT\.TXT/);
  assert.doesNotMatch(mtools, /long_name_test/);

  const src = fileSource(img);
  const fs = await openGuestFs(src, { startBytes: 0, sizeBytes: src.size }, 'FAT16');
  assert.deepEqual((await fs.list('/'))!.sort(), ['Kept Long Name.txt', 'SHORT.TXT']);
  assert.equal((await fs.readFile('/SHORT.TXT'))!.toString(), 'hello\n');
  assert.equal(await fs.stat('/long_name_test.txt'), undefined);
  assert.equal((await fs.readFile('/kept long name.TXT'))!.toString(), 'hello\n');
});
