// `ferry box`: a Vagrant box for the vmware_desktop provider. The VM (one disk per source, as
// `ferry vm` makes it) is made by the vm job into a staging folder, then packed with
// metadata.json and the box's Vagrantfile into a gzip'd tar under a staged name, which is
// renamed into place last.
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { hasOutputExtension, type BoxRequest } from '../../../shared/jobs';
import { BOX_METADATA, boxFirstBoot, renderVagrantfile } from '../box/box-files';
import { writeBox } from '../box/pack-box';
import { FerryError, throwIfAborted } from '../errors';
import { checkFirstBoot } from '../machine/first-boot';
import { Staging, checkFreeSpace, checkTargets } from '../output/staging';
import type { RunContext } from '../progress';
import { createVm } from './vm';
import { notice, type EngineJobResult } from '../notices';

export async function createBox(req: BoxRequest, ctx: RunContext): Promise<EngineJobResult> {
  const started = performance.now();
  const output = resolve(req.output);
  const dir = dirname(output);
  const boxName = basename(output);
  if (!hasOutputExtension('box', boxName)) {
    throw new FerryError('E_USAGE', `${output}: the output must be a file whose name ends in .box.`, 'Vagrant adds a box from such a file, e.g. `ferry box coreos.vhd coreos.box`.');
  }
  checkFirstBoot(req.firstBoot);
  const sourcePath = resolve(req.source);
  // Every source (the boot disk first) becomes a disk of the one machine; none may be the box itself.
  await checkTargets([output], req.overwrite, [sourcePath, ...(req.extraSources ?? []).map((p) => resolve(p))]);
  const { firstBoot, insecureKey } = boxFirstBoot(req.firstBoot);
  const staging = await Staging.create(dir, boxName);
  try {
    const { kind: _kind, output: _output, ...choices } = req;
    const vm = await createVm({ ...choices, kind: 'vm', destDir: staging.dir, subformat: 'monolithicSparse', zeroCopy: false, overwrite: false, firstBoot }, ctx);
    const folder = vm.folder!;
    const vmFiles = vm.files.map((f) => ({ name: basename(f), path: f }));
    const diskBytes = (await Promise.all(vmFiles.map((f) => stat(f.path)))).reduce((n, s) => n + s.size, 0);
    await checkFreeSpace(dir, diskBytes + 1024 * 1024);
    const vagrantfile = renderVagrantfile({ sourceName: basename(sourcePath), firstBoot: vm.firstBoot, insecureKey });
    await writeBox(
      join(staging.dir, boxName),
      [{ name: 'metadata.json', data: Buffer.from(BOX_METADATA) }, { name: 'Vagrantfile', data: Buffer.from(vagrantfile) }, ...vmFiles],
      ctx.signal,
    );
    await rm(folder, { recursive: true, force: true });
    throwIfAborted(ctx.signal);
    const files = await staging.commitFiles([boxName], req.overwrite);
    const warnings = [...vm.warnings];
    if (insecureKey) {
      warnings.push(notice('box-insecure-key'));
    }
    if (!vm.firstBoot?.sshUser) warnings.push(notice('box-login-user-unknown'));
    const { vmx: _vmx, folder: _folder, ...rest } = vm;
    return { ...rest, output, files, warnings, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    await staging.discard();
    throw err;
  }
}
