import type { JobResult, VmRequest } from '../../../shared/jobs';
import type { RunContext } from '../convert';
import { FerryError } from '../errors';

/** `ferry vm`: a VMware VM folder around the converted disk. (Issue 3 fills this in.) */
export async function createVm(_req: VmRequest, _ctx: RunContext): Promise<JobResult> {
  throw new FerryError('E_UNSUPPORTED', 'VM folders are not implemented yet.');
}
