import { dirname, resolve } from 'node:path';
import type { JobRequest, JobResult } from '../../../shared/jobs';
import type { RunContext } from '../progress';
import { convert } from './convert';
import { FerryError, toErrorInfo } from '../errors';
import { createBox } from './box';
import { createOva } from './ova';
import { createVm } from './vm';
import { wireJobResult, type EngineJobResult } from '../notices';

function dispatch(request: JobRequest, ctx: RunContext): Promise<EngineJobResult> {
  switch (request.kind) {
    case 'convert':
      return convert(request, ctx);
    case 'vm':
      return createVm(request, ctx);
    case 'ova':
      return createOva(request, ctx);
    case 'box':
      return createBox(request, ctx);
  }
}

/** The folder a job writes into: where a full disk is, when a write says only "no space". */
function destinationOf(request: JobRequest): string {
  return resolve(request.kind === 'vm' ? request.destDir : dirname(request.output));
}

/** Runs any job request; the one entry point the CLI, the worker thread and tests share. */
export async function runJob(request: JobRequest, ctx: RunContext = {}): Promise<JobResult> {
  try {
    return wireJobResult(await dispatch(request, ctx));
  } catch (err) {
    // A write to an open file fails with ENOSPC and no path; say which destination is full.
    const sys = err as NodeJS.ErrnoException;
    if (!(err instanceof FerryError) && !sys?.path && (sys?.code === 'ENOSPC' || sys?.code === 'EDQUOT')) {
      const info = toErrorInfo(err, destinationOf(request));
      throw new FerryError(info.code, info.message, info.hint);
    }
    throw err;
  }
}
