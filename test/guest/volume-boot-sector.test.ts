// A partition image (a file system from its first sector, no partition table) ends its boot
// sector with 55 AA like an MBR. Windows' NTFS boot sector keeps its messages where an MBR's
// partition entries are (seen in dfvfs's public windows_volume test image), and those bytes
// were read as three partitions of hundreds of GiB. Built here with mkntfs and mkfs.fat.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inspectDisk } from '../../worker/engine/inspect/inspect';
import { run, tempDir } from './helpers';

let dir: string;
before(() => {
  dir = tempDir('vbr');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Boot-code text across bytes 446–509, as Windows' boot sectors have it. */
function withMessages(img: string): void {
  const raw = readFileSync(img);
  raw.write(' is compressed\r\nPress Ctrl+Alt+Del to restart\r\n\0\0\0\0\0\0\0\0\0\0\0\0\0\x80\x9d\xb2\xca', 446, 'latin1');
  assert.equal(raw[510], 0x55);
  writeFileSync(img, raw);
}

for (const [kind, make] of [
  ['NTFS', (img: string) => run('mkntfs', ['-q', '-F', '-f', img])],
  ['FAT32', (img: string) => run('mkfs.fat', ['-F', '32', img])],
] as const) {
  test(`a whole-disk ${kind} volume whose boot code fills the partition-entry bytes has no partition table`, async () => {
    const img = join(dir, `${kind}.img`);
    run('truncate', ['-s', '40M', img]);
    make(img);
    withMessages(img);
    const info = await inspectDisk(img);
    assert.equal(info.partitions, null);
    assert.deepEqual(info.warnings.filter((w) => /past the end/.test(w)), []);
    assert.match(info.guest!.evidence.join(' '), new RegExp(`${kind} across the whole disk`));
  });
}
