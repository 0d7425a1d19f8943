// What a Vagrant box for the vmware_desktop provider holds besides the VM's own files
// (https://developer.hashicorp.com/vagrant/docs/providers/vmware/boxes): metadata.json naming
// the provider, and a Vagrantfile that Vagrant merges under the user's own, set for the guest.
// Pure: no I/O.
import type { FirstBoot, FirstBootSummary } from '../../../shared/jobs';

/**
 * Vagrant's well-known insecure public key (the pair ships with Vagrant as
 * `keys/vagrant.pub`). A box carries it so the first `vagrant up` can log in; Vagrant then
 * replaces it with a key pair of its own (`config.ssh.insert_key`, on by default).
 */
export const VAGRANT_INSECURE_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAABIwAAAQEA6NF8iallvQVp22WDkTkyrtvp9eWW6A8YVr+kz4TjGYe7gHzIw+niNltGEFHzD8+v1I2YJ6oXevct1YeS0o9HZyN1Q9qgCgzUFtdOKLv6IedplqoPkcmF0aYet2PkEDo3MlTBckFXPITAMzF8dJSIFo9D8HfdOV0IAdx4O7PtixWKn5y2hMNG0zQPyUecp4pzC6kivAIhyfHilFR61RGL+GPXQ2MWZWFYbAGjyiYJnAmCP3NOTd0jMZEnDkbUvxhMmBYSdETk1rRgm+R4LOzFUGaHqHDLKLX+FIPKcF96hrucXzcWyLbIbEgE98OHlnVYCzRdK8jlqm8tehUc9c9WhQ== vagrant insecure public key';

/**
 * The first boot a box's machine gets: the user's, with Vagrant's insecure key added where Ferry
 * writes the config (the user's own Ignition config or user-data plus meta-data are theirs alone).
 */
export function boxFirstBoot(fb: FirstBoot | undefined): { firstBoot: FirstBoot; insecureKey: boolean } {
  const given = fb ?? {};
  const unchanged = given.ignition !== undefined || (given.cloudInit !== undefined && given.cloudInitMeta !== undefined);
  if (unchanged) return { firstBoot: given, insecureKey: false };
  return { firstBoot: { ...given, sshKeys: [...(given.sshKeys ?? []), VAGRANT_INSECURE_KEY] }, insecureKey: true };
}

export const BOX_METADATA = `${JSON.stringify({ provider: 'vmware_desktop' })}\n`;

const ruby = (s: string): string => JSON.stringify(s);

export interface VagrantfileInput {
  sourceName: string;
  firstBoot: FirstBootSummary | undefined;
  insecureKey: boolean;
}

export function renderVagrantfile({ sourceName, firstBoot, insecureKey }: VagrantfileInput): string {
  const coreos = firstBoot !== undefined && firstBoot.image !== 'cloud-init';
  const lines = [
    `# The box's own Vagrantfile, made by Ferry from ${sourceName.replace(/[\r\n]/g, ' ')}.`,
    '# Vagrant reads it under the Vagrantfile of each project that uses the box, which may override any of it.',
    'Vagrant.configure("2") do |config|',
  ];
  if (firstBoot?.sshUser) lines.push(`  config.ssh.username = ${ruby(firstBoot.sshUser)}`);
  else lines.push('  # A cloud image has no "vagrant" user: set the one it lets in, e.g.', '  # config.ssh.username = "debian"');
  if (!insecureKey) {
    lines.push(
      "  # The box holds only the keys of your own first-boot config: point Vagrant at the private key.",
      '  # config.ssh.private_key_path = "~/.ssh/id_ed25519"',
      '  config.ssh.insert_key = false',
    );
  }
  // Container Linux and its successors have no VMware shared-folder driver; Vagrant would fail mounting /vagrant.
  if (coreos) lines.push('  config.vm.synced_folder ".", "/vagrant", disabled: true');
  lines.push('  config.vm.provider "vmware_desktop" do |v|', '    v.gui = false', '  end', 'end', '');
  return lines.join('\n');
}
