// `npm run demo`: builds Ferry, makes a small sample VHD (a Hyper-V-style dynamic disk with an MBR,
// a Linux partition and some data, written by the test suite's independent VHD writer), then runs
// the CLI on it: inspect, convert to a .vmdk, and make a VMware VM folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MiB, writeDynamicVhd } from '../test/support/vhd-writer';

const root = join(__dirname, '..');
const dir = join(root, 'demo');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

if (process.env.FERRY_SKIP_BUILD !== '1') execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });

// An MBR with one bootable Linux partition from 1 MiB to the end, and an ext4 superblock magic in it.
const size = 64 * MiB;
const mbr = Buffer.alloc(512);
mbr.writeUInt32LE(0x46455252, 440); // disk signature "FERR"
mbr[446] = 0x80;
mbr[446 + 4] = 0x83;
mbr.writeUInt32LE(2048, 446 + 8);
mbr.writeUInt32LE(size / 512 - 2048, 446 + 12);
mbr[510] = 0x55;
mbr[511] = 0xaa;
const superblock = Buffer.alloc(1024);
superblock.writeUInt16LE(0xef53, 56);
const text = Buffer.from('Ferry carries disks from Hyper-V to VMware.\n'.repeat(4000));
const sample = join(dir, 'sample.vhd');
writeDynamicVhd(sample, {
  size,
  creatorApp: 'win ',
  pieces: [
    { offset: 0, data: mbr },
    { offset: MiB + 1024, data: superblock },
    { offset: 8 * MiB, data: text },
    { offset: size - 4096, data: Buffer.alloc(4096, 0xee) },
  ],
});

const ferry = (...args: string[]): void => {
  console.log(`\n$ ferry ${args.map((a) => a.replace(root + '/', '')).join(' ')}`);
  const { status } = spawnSync(process.execPath, [join(root, 'bin/ferry.js'), ...args], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
};
ferry('inspect', sample);
ferry('convert', sample, join(dir, 'sample.vmdk'));
mkdirSync(join(dir, 'vms'));
ferry('vm', sample, join(dir, 'vms'));
console.log(`\nDone: open ${join('demo', 'vms', 'sample', 'sample.vmx')} in VMware Workstation, Player or Fusion.`);
