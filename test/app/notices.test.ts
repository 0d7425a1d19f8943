// The engine's notices: codes with parameters inside, today's English outside. The CLI's text
// and `--json`'s `warnings` keep the exact words they had before codes existed; `warningCodes`
// says the same warnings again as codes, one for one; the English catalogue says every code in
// the engine's words; the validators take only known codes with exactly their parameters.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import i18next from 'i18next';
import en from '../../shared/i18n/en.json';
import { NOTICE_TEXTS, notice, placeholdersOf, type AnyNotice, type NoticeCode } from '../../shared/notices';
import { parseDiskInfo } from '../../shared/validate';
import { parseRunAnswer } from '../../shared/worker-protocol';
import { english } from '../../worker/engine/notices';
import { ferry } from '../support/cli';
import { tempDir } from '../support/tmp';

const CODES = Object.keys(NOTICE_TEXTS) as NoticeCode[];

describe('notices in English', () => {
  // Each text as the engine wrote it before it had codes, with the same values put in.
  const TODAY: Array<[AnyNotice, string]> = [
    [notice('vhd-footer-beyond-file', { stated: 10485760, held: 5242880 }), 'The footer states 10485760 bytes but the file holds 5242880; using the 5242880 bytes present.'],
    [notice('vhd-header-checksum', { offset: 512 }), 'The dynamic disk header at offset 512 has a bad checksum; its fields were checked one by one instead.'],
    [notice('vhd-footer-copy-bad'), 'The copy of the footer at the start of the file has a bad checksum; the footer at the end was used.'],
    [
      notice('parent-says', { path: '/d/base.vhdx', notice: notice('vhdx-header-damaged', { copy: 2, offset: 131072, reason: notice('vhdx-bad-checksum', { stored: 'deadbeef', computed: '1a2b' }), used: 1 }) }),
      'Parent /d/base.vhdx: VHDX header 2 (at offset 131072) is damaged (bad checksum (stored 0xdeadbeef, computed 0x1a2b)); used header 1.',
    ],
    [
      notice('vhdx-log-replayed-one', { entries: 1, pages: 3 }),
      'The disk was not closed cleanly: its log (1 entry, 3 pages) was replayed in memory to read it; the file itself was not changed.',
    ],
    [
      notice('locator-skipped-unc', { locator: notice('locator-vhd', { kind: 'W2ku' }), name: '\\\\evil\\share\\p.vhd' }),
      'Skipped the W2ku locator "\\\\evil\\share\\p.vhd": it is a network (UNC) path, which Ferry never opens from a name inside a file (on Windows, opening a network path sends your sign-in credentials to that host).',
    ],
    [
      notice('hyperv-checkpoints', { checkpoints: 2 }),
      'The VM has 2 checkpoint(s); it is read as it runs now (its current disks, checkpoint chains flattened). Earlier checkpoints are not carried over.',
    ],
    [notice('hyperv-dynamic-memory', { memory: '?' }), 'Dynamic memory is on; the VM gets its startup memory (? MB) as fixed memory.'],
    [
      notice('firmware-mismatch', { asked: 'EFI', layout: 'BIOS', why: notice('firmware-mbr') }),
      "Firmware set to EFI although the disk's layout points to BIOS (MBR partition table (as on a Hyper-V Generation 1 disk), so BIOS firmware); the guest may not find its boot loader.",
    ],
    [
      notice('windows-controller', { controller: 'SATA (AHCI)', because: notice('windows-controller-gen2'), fallback: 'lsisas1068' }),
      'Windows guest: the disk is on SATA (AHCI) because a Generation 2 disk has no IDE and Windows 8 and later always carry the AHCI driver. If Windows stops with INACCESSIBLE_BOOT_DEVICE (0x7B), let its recovery start it once in Safe Mode (Advanced options → Startup Settings), or recreate the VM with --controller lsisas1068; after installing VMware Tools the disk can move to a faster controller.',
    ],
    [
      notice('linux-driver-missing-asked', { controller: 'VMware Paravirtual SCSI', driver: 'vmw_pvscsi' }),
      'Linux guest: the disk is on VMware Paravirtual SCSI as asked, but the guest\'s newest kernel has no vmw_pvscsi built in or in its initramfs, so it will not find its root disk. Before converting, in the guest, add vmw_pvscsi to its initramfs and rebuild it — `dracut --force --add-drivers vmw_pvscsi` (RHEL, Fedora, SUSE) or add "vmw_pvscsi" to /etc/initramfs-tools/modules and run `update-initramfs -u` (Debian, Ubuntu) — or choose another --controller.',
    ],
    [
      notice('cloud-init-unchecked-windows', { image: notice('image-windows') }),
      "cloud-init in the image: not checked (Ferry does not read files inside a Windows image). The first-boot data in guestinfo.userdata and guestinfo.metadata is read by cloud-init's VMware datasource (cloud-init 21.3 and later) or by cloudbase-init on Windows.",
    ],
    [notice('firmware-gpt-esp', { parts: notice('partition-one', { index: 1 }) }), 'GPT with an EFI system partition (partition 1; as on a Hyper-V Generation 2 disk), so UEFI firmware'],
    [notice('fs-on', { fs: 'NTFS', parts: notice('partitions-many', { indexes: '1, 2' }) }), 'NTFS on partitions 1, 2'],
    [
      notice('kernel-drivers', { kernel: '5.14.0', vmw_pvscsi: notice('driver-initramfs'), ahci: notice('driver-builtin'), ata_piix: notice('driver-missing') }),
      'kernel 5.14.0: vmw_pvscsi in the initramfs, ahci built in, ata_piix missing',
    ],
    [
      notice('size-creator-current', { creator: notice('size-creator-tag', { tag: 'abcd' }) }),
      'creator "abcd" sizes disks by the current-size field',
    ],
  ];

  test("a representative set says exactly today's words", () => {
    for (const [n, words] of TODAY) assert.equal(english(n), words, n.code);
  });

  test('the English catalogue holds every code in the engine’s words, and says each with sample values as the engine does', async () => {
    const catalogue = (en as unknown as { engine: Record<string, string> }).engine;
    const t = i18next.createInstance();
    await t.init({ lng: 'en', resources: { en: { translation: en } }, interpolation: { escapeValue: false }, initAsync: false });
    for (const code of CODES) {
      assert.equal(catalogue[code], NOTICE_TEXTS[code], `en.json engine.${code}`);
      for (const sample of [(name: string) => `‹${name} 1›`, () => 42]) {
        const params = Object.fromEntries(placeholdersOf(code).map((name) => [name, sample(name)]));
        const n = { code, params } as AnyNotice;
        assert.equal(t.t(`engine.${code}`, params), english(n), `${code} with ${JSON.stringify(params)}`);
      }
    }
  });
});

describe('warningCodes beside warnings', () => {
  test('ferry inspect --json: a fixed VHD whose footer states more than the file holds', async (t) => {
    const dir = tempDir(t, 'ferry-notices');
    const path = join(dir, 'short.vhd');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vpc', '-o', 'subformat=fixed', path, '8M']);
    // Keep the footer, drop 2 MiB of data in front of it: the footer now states more than the file holds.
    const fd = openSync(path, 'r+');
    const size = fstatSync(fd).size;
    const footer = Buffer.alloc(512);
    readSync(fd, footer, 0, 512, size - 512);
    ftruncateSync(fd, size - 512 - 2 * 1024 * 1024);
    closeSync(fd);
    writeFileSync(path, footer, { flag: 'a' });
    const stated = footer.readBigUInt64BE(48);
    const held = size - 512 - 2 * 1024 * 1024;
    const r = await ferry(['inspect', path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = r.json[r.json.length - 1]!;
    const words = `The footer states ${stated} bytes but the file holds ${held}; using the ${held} bytes present.`;
    assert.deepEqual(info.warnings, [words]);
    assert.deepEqual(info.warningCodes, [{ code: 'vhd-footer-beyond-file', params: { stated: Number(stated), held } }]);
    // The text output says the same words as before codes existed.
    const text = await ferry(['inspect', path]);
    assert.match(text.stdout, new RegExp(`Warnings +${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});

describe('the validators', () => {
  const disk = (over: Record<string, unknown>) => ({ path: '/d/x.vhd', fileSize: 1, format: 'vhd', variant: 'fixed', virtualSize: 512, allocatedBytes: 512, parents: [], partitions: null, warnings: ['w'], ...over });
  const good = notice('vhdx-header-damaged', { copy: 2, offset: 131072, reason: notice('vhdx-cut-short'), used: 1 });

  test('take a known code with exactly its parameters, nested ones too', () => {
    assert.deepEqual(parseDiskInfo(disk({ warningCodes: [good] })).warningCodes, [good]);
  });

  test('refuse an unknown code, a missing, extra or mistyped parameter, deep nesting, and a list that does not match warnings', () => {
    const bad: Array<[string, unknown, RegExp]> = [
      ['unknown code', [{ code: 'vhd-no-such-thing', params: {} }], /warningCodes\[0\]\.code: is not a known notice code/],
      ['missing parameter', [{ code: 'vhd-header-checksum', params: {} }], /params\.offset: is missing/],
      ['extra parameter', [{ code: 'vhd-saved-state', params: { path: '/x' } }], /params\.path: is not a parameter of vhd-saved-state/],
      ['a boolean', [{ code: 'vhd-header-checksum', params: { offset: true } }], /params\.offset: expected a notice/],
      ['not finite', [{ code: 'vhd-header-checksum', params: { offset: Infinity } }], /expected a finite number/],
      ['a nested unknown code', [{ ...good, params: { ...good.params, reason: { code: 'nope', params: {} } } }], /params\.reason\.code: is not a known notice code/],
      ['an extra key', [{ ...good, text: 'x' }], /warningCodes\[0\]\.text: is not expected here/],
      ['a string', ['The disk is fine.'], /expected a notice/],
      ['too long a text', [{ code: 'machine-disk-stated', params: { path: 'x'.repeat(256 * 1024 + 1) } }], /at most/],
      ['two codes for one warning', [good, good], /warningCodes: has 2 entries but warnings has 1/],
    ];
    let deep: AnyNotice = notice('vhd-saved-state');
    for (let i = 0; i < 7; i++) deep = notice('parent-says', { path: '/p', notice: deep });
    bad.push(['nested too deep', [deep], /nest more than 6 deep/]);
    for (const [what, warningCodes, message] of bad) {
      assert.throws(() => parseDiskInfo(disk({ warningCodes })), message, what);
    }
    assert.throws(() => parseDiskInfo({ ...disk({}), warnings: [] }), /warningCodes: expected a list/, 'the field is required');
  });

  test('a job result and the guest evidence are held to the same rules', () => {
    const result = { output: '/v/a.vmdk', files: ['/v/a.vmdk'], subformat: 'monolithicSparse', virtualSize: 1, dataBytes: 1, verified: true, warnings: ['w'], seconds: 1 };
    assert.throws(() => parseRunAnswer({ type: 'done', value: { ...result, warningCodes: [] } }), /has 0 entries but warnings has 1/);
    assert.throws(() => parseRunAnswer({ type: 'done', value: { ...result, warningCodes: [{ code: 'nope', params: {} }] } }), /not a known notice code/);
    const guest = { guestOS: 'other-64', family: 'Unknown', firmware: 'bios', evidence: ['no partition table, so BIOS firmware'] };
    assert.throws(() => parseDiskInfo(disk({ warnings: [], warningCodes: [], guest: { ...guest, evidenceCodes: [] } })), /evidenceCodes: has 0 entries/);
    const ok = parseDiskInfo(disk({ warnings: [], warningCodes: [], guest: { ...guest, evidenceCodes: [notice('firmware-no-table')] } }));
    assert.deepEqual(ok.guest?.evidenceCodes, [notice('firmware-no-table')]);
  });

  test('a code that is not in the table, or a wrong parameter, fails type-check', () => {
    // @ts-expect-error: no such code
    assert.throws(() => english(notice('vhd-no-such-thing')));
    // @ts-expect-error: vhd-header-checksum names its offset
    assert.equal(english(notice('vhd-header-checksum', {})), 'The dynamic disk header at offset undefined has a bad checksum; its fields were checked one by one instead.');
    // @ts-expect-error: no parameter named path
    notice('vhd-saved-state', { path: '/x' });
  });
});
