// The root of a Windows volume holds the metafiles ($MFT … $Extend, records 0–15) and folders
// whose names only start with "$", such as $RECYCLE.BIN (seen in the root of a volume Windows
// formatted, in msuhanov's public dfir_ntfs test images). Only the metafiles are hidden.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openGuestFs } from '../../worker/engine/guest/fs/open';
import { canMountNtfs, fileSource, makeNtfs, tempDir } from './helpers';

let dir: string;
before(() => {
  dir = tempDir('ntfs-root');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the root lists $RECYCLE.BIN but not the metafiles', { skip: canMountNtfs() ? false : 'needs root and FUSE for ntfs-3g' }, async () => {
  const img = join(dir, 'ntfs.img');
  makeNtfs(img, 8, (root) => {
    mkdirSync(join(root, '$RECYCLE.BIN'));
    writeFileSync(join(root, '$RECYCLE.BIN', 'desktop.ini'), '[.ShellClassInfo]\r\n');
    mkdirSync(join(root, 'Windows'));
  });
  const src = fileSource(img);
  const fs = await openGuestFs(src, { startBytes: 0, sizeBytes: src.size }, 'NTFS');
  assert.deepEqual((await fs.list('/'))!.sort(), ['$RECYCLE.BIN', 'Windows']);
  assert.deepEqual(await fs.list('/$RECYCLE.BIN'), ['desktop.ini']);
});
