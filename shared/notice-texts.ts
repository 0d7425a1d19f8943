// Every notice the engine can give, by code, with its English text: what the CLI prints (and
// `--json`'s `warnings` and `evidence` hold) once each `{{name}}` is replaced by its parameter.
//
// To add a warning or an evidence line:
//   1. add `'area-what-happened': 'English text with {{param}}s',` below (a kebab-case code; the
//      English is the CLI's contract, so an existing text changes only on purpose);
//   2. give it with `notice('area-what-happened', { param })` (shared/notices.ts) where the engine
//      warns — a list of warnings holds notices only, so a plain string fails type-check;
//   3. say it under `engine` in every catalogue in shared/i18n/: English exactly as here, each
//      other language in its own words with the same placeholders (test/app/notices.test.ts and
//      test/app/catalogues.test.ts check both).
// A parameter is a name, path or number, said as it is in every language, or a nested notice for
// a clause that has words of its own (a reason, a "which partition").
export const NOTICE_TEXTS = {
  // ── the source disk ─────────────────────────────────────────────────────────────────────
  'parent-says': 'Parent {{path}}: {{notice}}',
  'disk-says': '{{name}}: {{notice}}',
  'vhd-footer-copy-bad': 'The copy of the footer at the start of the file has a bad checksum; the footer at the end was used.',
  'vhd-footer-copy-missing': 'The copy of the footer at the start of the file is missing; the footer at the end was used.',
  'vhd-footer-end-bad': 'The footer at the end of the file has a bad checksum; using the copy at the start.',
  'vhd-footer-end-missing': 'The footer at the end of the file is missing; using the copy at the start (the file may be truncated).',
  'size-by-option': 'chosen by option',
  'size-max-geometry': 'the geometry is at its maximum, so it cannot express the size',
  'size-creator-chs': '{{creator}} sizes disks by their CHS geometry',
  'size-creator-current': '{{creator}} sizes disks by the current-size field',
  'size-creator-tag': 'creator "{{tag}}"',
  'size-empty-geometry': 'the geometry is empty',
  'unpacked-in-temp-no-room':
    "There was not enough room to unpack it beside the destination ({{error}}), so this inspection unpacked it into the system's temporary folder ({{folder}}) and removed it again. Converting unpacks it once more, beside the output, and needs {{needs}} free there.",
  'unpacked-in-temp':
    "It could not be unpacked beside the destination ({{error}}), so this inspection unpacked it into the system's temporary folder ({{folder}}) and removed it again. Converting unpacks it once more, beside the output, and needs {{needs}} free there.",
  'needs-up-to': 'up to {{size}}',
  'needs-room-for-disk': 'room for the disk',
  'vhd-saved-state': 'The disk belongs to a virtual machine whose state was saved; start and shut it down cleanly first, or the guest may not boot.',
  'vhd-footer-beyond-file': 'The footer states {{stated}} bytes but the file holds {{held}}; using the {{held}} bytes present.',
  'vhd-header-checksum': 'The dynamic disk header at offset {{offset}} has a bad checksum; its fields were checked one by one instead.',
  'vhd-table-oversized':
    'The dynamic disk header (Max Table Entries, at offset {{offset}}) sizes the block allocation table for {{entries}} blocks ({{covers}}), far more than the {{needed}} this {{size}} disk needs; no VHD tool writes that, so the header may be damaged or hand-made. Harmless for the conversion: Ferry reads only the {{needed}} entries that cover the disk.',
  'locator-skipped-unc':
    'Skipped the {{locator}} "{{name}}": it is a network (UNC) path, which Ferry never opens from a name inside a file (on Windows, opening a network path sends your sign-in credentials to that host).',
  'locator-skipped-device':
    'Skipped the {{locator}} "{{name}}": it is a device path, which Ferry never opens from a name inside a file (on Windows, opening a network path sends your sign-in credentials to that host).',
  'locator-vhd': '{{kind}} locator',
  'locator-vhd-unknown': 'parent locator',
  'locator-vhdx': 'parent locator entry {{key}}',
  'vhdx-header-damaged': 'VHDX header {{copy}} (at offset {{offset}}) is damaged ({{reason}}); used header {{used}}.',
  'vhdx-region-table-damaged': 'The first VHDX region table (at offset {{offset}}) is damaged ({{reason}}); used the copy at offset {{copyOffset}}.',
  'vhdx-cut-short': 'it is cut short',
  'vhdx-no-signature': 'no "{{signature}}" signature',
  'vhdx-bad-checksum': 'bad checksum (stored 0x{{stored}}, computed 0x{{computed}})',
  'vhdx-log-empty': 'The header names a log, but the log holds no entries written under it; there was nothing to replay.',
  'vhdx-log-replayed-one':
    'The disk was not closed cleanly: its log ({{entries}} entry, {{pages}} pages) was replayed in memory to read it; the file itself was not changed.',
  'vhdx-log-replayed':
    'The disk was not closed cleanly: its log ({{entries}} entries, {{pages}} pages) was replayed in memory to read it; the file itself was not changed.',
  'vhdx-parent-smaller': 'It is {{size}} bytes but its parent {{parent}} is {{parentSize}} bytes; the space beyond the parent reads as zeros.',
  'vhdx-parent-larger': 'It is {{size}} bytes but its parent {{parent}} is {{parentSize}} bytes; only the first part of the parent is used.',
  'raw-by-bin-name':
    'Read as a raw disk image by its .bin name, but it starts with no partition table. If it is firmware or a CD image rather than a disk, the result is of no use.',
  'raw-no-signature':
    'The file is named {{ext}} but has no {{format}} signature; it was read as a raw disk image of {{size}} bytes. If it is a {{format}}, it is damaged or truncated and the result is incomplete.',
  'raw-partial-sector':
    'The image is {{size}} bytes, not a whole number of 512-byte sectors ({{over}} bytes over); the disk was rounded up to {{rounded}} bytes with zeros. If the file was cut short (an interrupted download), its end is missing.',
  'partition-inverted': 'Partition {{index}} ({{typeName}}) in the {{scheme}} ends before it starts; the partition table is damaged.',
  'partition-past-end':
    'Partition {{index}} ({{typeName}}) ends at byte {{end}}, past the end of the {{size}}-byte disk: the guest will not find all of its data. The image may be cut short, or (for a VHD) sized by the wrong field — compare the sizes `ferry inspect` shows and try --vhd-size.',

  // ── the guest ───────────────────────────────────────────────────────────────────────────
  'where-partition': 'partition {{index}}',
  'where-whole-disk': 'the whole disk',
  'guest-fs-unreadable':
    'The {{type}} file system on {{where}} could not be read ({{error}}); the guest is guessed from the partitions instead. The guest may need a file-system check (chkdsk or fsck).',
  'guest-registry-unreadable': 'The Windows registry on {{where}} could not be read ({{error}}); the Windows version is not known.',
  'guest-linux-root-unreadable': 'The Linux root file system on {{where}} could not be read ({{error}}); the distribution is not known.',
  'cloud-flavour':
    "This looks like the {{flavour}} build of a cloud image, by {{why}}: it boots under VMware but carries {{flavour}}'s platform agent and configuration source, so first-boot setup may not apply. Use the image's VMware flavour (e.g. *_vmware_raw_image or the OVA) if one exists.",
  'by-file-name': 'its file name ({{name}})',
  'by-oem-id': 'its OEM partition (oem_id "{{id}}")',
  'by-file-name-and-oem-id': 'its file name ({{name}}) and its OEM partition (oem_id "{{id}}")',
  'oem-not-vmware':
    'The image\'s OEM partition is set up for "{{id}}", not VMware: it boots, but its platform agent and configuration source are not VMware\'s. Use the image\'s VMware flavour if one exists.',

  // ── machine configurations ──────────────────────────────────────────────────────────────
  'vmcx-log-unapplied':
    'The configuration has changes in its log that Hyper-V never applied (it was copied while the VM was open); what is read may be slightly out of date.',
  'vmc-undo-disks': 'Undo disks are turned on: changes kept in an undo disk (.vud) are not in the base disks; commit or discard them in Virtual PC first.',
  'vmx-encrypted': 'The VM is encrypted; its disks cannot be read without VMware decrypting them first.',
  'hyperv-dynamic-memory': 'Dynamic memory is on; the VM gets its startup memory ({{memory}} MB) as fixed memory.',
  'machine-disk-outside': "Disk {{path}} was taken from {{found}}, outside the machine's folder, as confirmed.",
  'machine-disk-stated': 'Disk {{path}} was used at its stated path.',
  'hyperv-checkpoint-unreadable': 'Checkpoint {{file}} cannot be read; it is listed by its file name.',
  'hyperv-checkpoints':
    'The VM has {{checkpoints}} checkpoint(s); it is read as it runs now (its current disks, checkpoint chains flattened). Earlier checkpoints are not carried over.',
  'vmsd-unreadable': '{{file}} cannot be read ({{error}}); the snapshot tree is not shown.',
  'vmware-suspended':
    'The VM is suspended: its suspended state (.vmss, .vmem) is not carried over; the new VM starts from the disks as after a power cut. Resume and shut it down in VMware first to keep what was open.',
  'vmware-locked': 'A lock (.lck) is present: the VM may be running. Shut it down and close VMware first, or the disks may change while they are read.',
  'vmware-snapshots':
    'The VM has {{snapshots}} snapshot(s); its disks are read as they are now (the current state, snapshot chains flattened). Other snapshots are not carried over.',

  // ── the virtual hardware chosen ─────────────────────────────────────────────────────────
  'guest-id-fitted':
    '{{os}} is named "{{guestOS}}": VMware\'s exact id "{{exact}}" needs hardware version {{since}} or newer, and this VM has {{hwVersion}}. Pass --hw-version {{since}} (if your VMware product opens it) for the exact id.',
  'guest-id-fitted-unnamed':
    'The guest is named "{{guestOS}}": VMware\'s exact id "{{exact}}" needs hardware version {{since}} or newer, and this VM has {{hwVersion}}. Pass --hw-version {{since}} (if your VMware product opens it) for the exact id.',
  'firmware-mismatch': "Firmware set to {{asked}} although the disk's layout points to {{layout}} ({{why}}); the guest may not find its boot loader.",
  'see-ferry-inspect': 'see ferry inspect',
  'hw-newer-than-known':
    'Hardware version {{hwVersion}} is newer than any VMware product Ferry knows (the newest is {{newest}}, Workstation 25H2); a product that does not know it refuses to open the VM.',
  'hw-esxi-only': 'Hardware version {{hwVersion}} exists only on ESXi; Workstation, Player and Fusion may refuse it. Use {{next}} for them.',
  'secure-boot-not-efi': 'The machine had UEFI Secure Boot on, but this VM boots with BIOS, which has none; Secure Boot is left off.',
  'secure-boot-needs-hw': 'The machine had UEFI Secure Boot on, but hardware version {{hwVersion}} has none (it came with {{since}}); Secure Boot is left off. Use --hw-version {{since}} or newer to keep it.',
  'nvme-needs-uefi': 'VMware boots NVMe disks only with UEFI firmware; with BIOS this VM may not start its system. Use --firmware efi (GPT disks) or another --controller.',
  'windows-controller':
    'Windows guest: the disk is on {{controller}} {{because}}. If Windows stops with INACCESSIBLE_BOOT_DEVICE (0x7B), let its recovery start it once in Safe Mode (Advanced options → Startup Settings), or recreate the VM with --controller {{fallback}}; after installing VMware Tools the disk can move to a faster controller.',
  'windows-controller-named': 'as the machine configuration maps (above)',
  'controller-rule': 'Controller: {{rule}}.',
  'controller-asked': "{{controller}} as asked (--controller), over the guest's own",
  'controller-asked-over-named': "{{controller}} as asked (--controller), over the configuration and the guest's own",
  'controller-by-drivers': "{{controller}} by the guest's boot drivers",
  'controller-by-family': "{{controller}} by the guest's family ({{kind}}, {{firmware}})",
  'controller-by-family-unknown': "the guest's boot drivers are not known, so {{controller}} by the guest's family ({{kind}}, {{firmware}})",
  'controller-named': '{{product}} configuration puts the boot disk on {{what}}',
  'controller-named-stays': 'the {{said}}, which the guest ran on, so it stays {{controller}}',
  'controller-named-no-driver': "the {{said}}, but the guest's newest kernel has no {{driver}}: {{rule}}",
  'controller-named-ide': 'the {{said}}, whose driver the guest booted with: ide',
  'controller-named-windows': 'the {{said}}, which VMware does not have; {{controller}} because {{why}}, and boot repair makes it a boot driver',
  'controller-named-linux': 'the {{said}}, which VMware does not have; for a Linux guest, {{rule}}',
  'controller-named-linux-ide': 'the {{said}}; for a Linux guest, {{rule}}',
  'inbox-storahci': 'storahci is inbox in Windows 8 / Server 2012 and later',
  'inbox-lsi-sas': 'lsi_sas is inbox in Windows Vista / Server 2008 and later',
  'inbox-ide': 'every Windows has an IDE driver',
  'windows-controller-asked': 'as asked; Windows boots only from a controller whose driver it had enabled when it last ran',
  'windows-controller-gen1': 'because a Windows disk from Hyper-V Generation 1 or Virtual PC boots with the IDE driver it ran with',
  'windows-controller-gen2': 'because a Generation 2 disk has no IDE and Windows 8 and later always carry the AHCI driver',
  'linux-driver-missing':
    'Linux guest: the disk is on {{controller}}, but the guest\'s newest kernel has no {{driver}} built in or in its initramfs, so it will not find its root disk. Before converting, in the guest, add {{driver}} to its initramfs and rebuild it — `dracut --force --add-drivers {{driver}}` (RHEL, Fedora, SUSE) or add "{{driver}}" to /etc/initramfs-tools/modules and run `update-initramfs -u` (Debian, Ubuntu) — or choose another --controller.',
  'linux-driver-missing-asked':
    'Linux guest: the disk is on {{controller}} as asked, but the guest\'s newest kernel has no {{driver}} built in or in its initramfs, so it will not find its root disk. Before converting, in the guest, add {{driver}} to its initramfs and rebuild it — `dracut --force --add-drivers {{driver}}` (RHEL, Fedora, SUSE) or add "{{driver}}" to /etc/initramfs-tools/modules and run `update-initramfs -u` (Debian, Ubuntu) — or choose another --controller.',
  'linux-pvscsi-unchecked':
    'Linux guest: the disk is on {{controller}} (driver vmw_pvscsi). If boot stops waiting for the root device (an initramfs built only for Hyper-V), pick the rescue kernel entry once and rebuild the initramfs with that driver, or try --controller sata.',
  'zero-copy':
    'Zero-copy: the VM uses {{path}} in place — VMware reads and writes that .vhd directly, no copy was made. Keep it where it is (the VM finds it by relative path), do not attach it to Hyper-V or another VM at the same time, and do not expand the disk in VMware (that would overwrite the VHD footer).',
  'ovf-guest-derived': 'Guest "{{guestOS}}" is not in Ferry\'s table; the OVF names it "{{osType}}" by VMware\'s spelling rule. If vSphere refuses it, pass a --guest it knows.',
  'ovf-guest-downgraded':
    'Hardware version {{hwVersion}} predates the guest id "{{newer}}", so the OVF names "{{osType}}"; pass a higher --hw-version for hosts that know the newer id.',

  // ── boot repair ─────────────────────────────────────────────────────────────────────────
  'repair-zero-copy': 'Boot repair skipped: with --zero-copy the VM uses the source disk in place, and Ferry never writes a source.',
  'repair-registry-unreadable': "Boot repair skipped: the guest's registry could not be read ({{error}}).",
  'repair-refused': 'Boot repair skipped: {{reason}}. {{hint}}',
  'repair-bitlocker': 'a partition is BitLocker-encrypted, so the registry cannot be changed offline',
  'repair-no-windows': 'no NTFS partition with \\Windows\\System32\\config\\SYSTEM was found',
  'repair-ntfs-dirty': 'the NTFS volume on {{where}} is marked dirty (not cleanly unmounted, or a check is pending)',
  'repair-hibernated': 'Windows on {{where}} is hibernated (hiberfil.sys says "{{signature}}"; fast startup counts): it would resume its old memory and ignore the change',
  'repair-no-hive': '{{where}} has no SYSTEM hive',
  'repair-hive-not-plain': 'the SYSTEM hive on {{where}} is not stored plainly on the disk ({{error}})',
  'repair-hive-dirty': 'the SYSTEM hive on {{where}} has pending log entries (sequence numbers {{primary}} and {{secondary}} differ)',
  'repair-hive-log-pending': 'the SYSTEM hive on {{where}} has pending entries in {{log}} that Windows would replay over the change',
  'repair-hive-checksum': 'the SYSTEM hive on {{where}} has a bad base-block checksum',
  'repair-control-set-unknown': 'the control-set layout of the SYSTEM hive is not one Ferry knows ({{error}})',
  'repair-no-driver': 'Windows has no driver for this controller ({{drivers}} not installed in {{controlSet}})',
  'repair-no-start-value': '{{value}} has no Start value',
  'repair-not-dword': '{{value}} is not a 4-byte DWORD stored in its value cell',
  'repair-value-off-disk': '{{value}} lies in a part of the hive file that is not on the disk',
  'repair-hint-keep-0x7b': 'Windows may stop with INACCESSIBLE_BOOT_DEVICE (0x7B) on first boot; see the controller warning for what to do in the guest.',
  'repair-hint-bitlocker': 'Suspend or turn off BitLocker in Windows first (manage-bde -off C:), then convert again. {{then}}',
  'repair-hint-shut-down': 'Boot Windows in Hyper-V and shut it down cleanly, or run chkdsk on it, then convert again. {{then}}',
  'repair-hint-fast-startup': 'In Windows, turn off fast startup (powercfg /h off) and shut down fully, then convert again. {{then}}',
  'repair-hint-write-registry': 'Boot Windows in Hyper-V and shut it down cleanly so it writes its registry, then convert again. {{then}}',
  'repair-hint-other-controller': 'Choose a controller Windows has a driver for (--controller {{others}}), or install the driver (VMware Tools for pvscsi) before converting.',
  'repair-done':
    "Boot repair: the controller's driver now starts at boot in the output disk ({{changes}}); the source is unchanged. Use --no-guest-repair to copy the disk unchanged.",

  // ── first boot and boxes ────────────────────────────────────────────────────────────────
  'ignition-reads-3': 'spec 3.x',
  'ignition-reads-2-3': 'spec 2.x and (from release 3185) 3.x',
  'ignition-reads-2-0-to-2-2': 'spec 2.0 to 2.2',
  'image-ubuntu-cloud': 'an Ubuntu cloud image',
  'image-windows': 'a Windows image',
  'image-linux': 'a Linux image',
  'ignition-not-coreos':
    'The image does not look like a CoreOS-family one ({{image}}), so nothing in it may read the Ignition config; it is in guestinfo.ignition.config.data all the same.',
  'ignition-version': 'The Ignition config is spec {{version}}, but {{image}} reads {{reads}}; it may refuse the config and stop the boot. It is written unchanged.',
  'cloud-init-on-ignition':
    '{{image}} runs Ignition, not cloud-init: the cloud-init user-data is in guestinfo.userdata but the image will not read it. Give an Ignition config (--ignition) instead.',
  'cloud-init-absent': 'The image shows no sign of cloud-init, so the first-boot data in guestinfo.userdata may never be read.',
  'cloud-init-unchecked':
    "cloud-init in the image: not checked (Ferry does not read files inside {{image}}). The first-boot data in guestinfo.userdata and guestinfo.metadata is read by cloud-init's VMware datasource (cloud-init 21.3 and later).",
  'cloud-init-unchecked-windows':
    "cloud-init in the image: not checked (Ferry does not read files inside {{image}}). The first-boot data in guestinfo.userdata and guestinfo.metadata is read by cloud-init's VMware datasource (cloud-init 21.3 and later) or by cloudbase-init on Windows.",
  'box-insecure-key':
    "The box lets in Vagrant's well-known insecure key, as Vagrant boxes do: the first `vagrant up` replaces it with a key pair of its own (unless config.ssh.insert_key is false).",
  'box-login-user-unknown':
    'The image\'s login user is not known: set config.ssh.username in your Vagrantfile to the user the image lets in (e.g. "debian", "fedora", "cloud-user").',

  // ── evidence: why the guest and its firmware were chosen ────────────────────────────────
  'partition-one': 'partition {{index}}',
  'partitions-many': 'partitions {{indexes}}',
  'fs-on': '{{fs}} on {{parts}}',
  'fs-whole-disk': '{{fs}} across the whole disk',
  'firmware-no-table': 'no partition table, so BIOS firmware',
  'firmware-mbr': 'MBR partition table (as on a Hyper-V Generation 1 disk), so BIOS firmware',
  'firmware-gpt-no-esp': 'GPT without an EFI system partition, so BIOS firmware',
  'firmware-gpt-bios-boot': 'GPT without an EFI system partition but with a BIOS boot partition, so BIOS firmware',
  'firmware-gpt-esp': 'GPT with an EFI system partition ({{parts}}; as on a Hyper-V Generation 2 disk), so UEFI firmware',
  'firmware-also-bios': 'a BIOS boot partition is present too, so --firmware bios would also boot',
  'coreos-named': 'GPT partitions named {{names}}: the Container Linux layout',
  'coreos-typed': 'CoreOS partition types on {{parts}}',
  'windows-typed': '{{typeName}} partition ({{index}})',
  'windows-version-unread':
    'the Windows version is not read from the disk; "{{guestOS}}" (Windows 10 and later, 64-bit) suits Windows 8 to 11 and Server 2012 to 2025 — use --guest for another',
  'linux-also': 'Linux file systems are present too ({{parts}}); use --guest if Linux is the system that boots',
  'linux-typed': 'Linux partition types on {{parts}}',
  'ubuntu-cloud-label': 'a root file system labelled "cloudimg-rootfs", as Ubuntu cloud images have',
  'linux-distro-unknown': 'the distribution is not identified; "{{guestOS}}" is VMware\'s generic 64-bit Linux',
  'no-os-found': 'no operating system recognised (found {{found}})',
  'no-os': 'no operating system recognised from the partitions',
  'oem-set-up': 'OEM partition {{index}} is set up for "{{id}}"',
  'ntfs-holds-windows': 'NTFS on {{where}} holds \\Windows',
  'linux-root-fs': '{{type}} on {{where}} is the root file system',
  'fs-not-read': '{{type}} on {{where}} is recognised, but Ferry does not read its files',
  'windows-said': 'CurrentVersion: ProductName "{{product}}", InstallationType "{{installation}}", build {{build}}',
  'windows-id-generic': '{{said}}: the build is not one Ferry places, so the generic "windows9-64"',
  'windows-id-server': '{{said}}: {{release}} → "{{guestOS}}"',
  'windows-id-client': '{{said}}: {{release}} (by build number) → "{{guestOS}}"',
  'windows-hive-dirty': 'the SOFTWARE hive has unsaved log entries (Windows did not shut down cleanly); the values read may be a little old',
  'os-release-line': '{{path}}: {{name}}',
  'os-release-no-name': 'no name',
  'os-release-says': 'os-release says ID={{id}}',
  'os-release-says-version': 'os-release says ID={{id}} VERSION_ID={{version}}',
  'linux-id-distro': '{{said}}: {{distro}}',
  'linux-id-rebuild': "{{said}}: a rebuild of Red Hat Enterprise Linux {{major}}, so VMware's RHEL {{major}} id",
  'linux-id-leap': "{{said}}: openSUSE Leap 15 shares SUSE Linux Enterprise 15's base",
  'linux-id-like-ubuntu': '{{said}}, ID_LIKE={{like}}: derived from Ubuntu',
  'linux-id-like-rhel': '{{said}}, ID_LIKE={{like}}: derived from RHEL {{major}}',
  'linux-id-generic': '{{said}}, a distribution VMware has no id for, so the generic "{{guestOS}}"',
  'linux-id-generic-kernel': '{{said}}, a distribution VMware has no id for; its kernel is {{kernel}}.x, so the generic "{{guestOS}}"',
  'linux-no-kernel': 'no kernel under /lib/modules, so the boot drivers are not known',
  'linux-builtin-unread': 'modules.builtin of {{kernel}} not read: {{error}}',
  'boot-elsewhere': '/boot is not on the root file system; {{parts}} may hold it, and Ferry does not read those',
  'boot-none': 'no /boot with kernels was found',
  'initramfs-none': 'no initramfs for kernel {{kernel}} in /boot',
  'initramfs-incomplete': 'initramfs {{path}} ({{layers}}) {{why}}',
  'initramfs-read-in-part': 'read in part: {{error}}',
  'initramfs-read': 'initramfs {{path}}: {{layers}}, {{modules}} modules',
  'initramfs-unread': 'initramfs {{path}} not read: {{error}}',
  'kernel-drivers': 'kernel {{kernel}}: vmw_pvscsi {{vmw_pvscsi}}, ahci {{ahci}}, ata_piix {{ata_piix}}',
  'driver-builtin': 'built in',
  'driver-initramfs': 'in the initramfs',
  'driver-missing': 'missing',
  'driver-unknown': 'not known',
} as const;
