import type { JobRequest, JobResult } from '../../shared/jobs';
import { convert, type RunContext } from './convert';
import { createOva } from './ova/create-ova';
import { createVm } from './vm/create-vm';

/** Runs any job request; the one entry point the CLI, the worker thread and tests share. */
export function runJob(request: JobRequest, ctx: RunContext = {}): Promise<JobResult> {
  switch (request.kind) {
    case 'convert':
      return convert(request, ctx);
    case 'vm':
      return createVm(request, ctx);
    case 'ova':
      return createOva(request, ctx);
  }
}
