// The host's methods as a table of handlers that take raw, untrusted arguments: each validates
// its argument before the host sees it. Transports (IPC, WebSocket, memory) dispatch into this.
import { fail, type HostMethod, type HostMethods } from '../shared/bridge';
import { PayloadError, parseJobId, parseJobRequest, parseNothing, parsePath } from '../shared/validate';

export type Handler = (arg: unknown) => Promise<unknown>;
export type HandlerTable = Readonly<Record<HostMethod, Handler>>;

/** For methods that answer a `Result`: a malformed argument is a typed failure, as any other. */
function answering<A>(parse: (v: unknown) => A, call: (a: A) => Promise<unknown>): Handler {
  return async (raw) => {
    let arg: A;
    try {
      arg = parse(raw);
    } catch (err) {
      if (err instanceof PayloadError) return fail({ code: 'E_USAGE', message: `Refused a malformed request: ${err.message}.` });
      throw err;
    }
    return call(arg);
  };
}

/** For the rest: a malformed argument rejects the call. */
function strict<A>(parse: (v: unknown) => A, call: (a: A) => Promise<unknown>): Handler {
  return async (raw) => call(parse(raw));
}

export function createHandlers(host: HostMethods): HandlerTable {
  return {
    inspect: answering(parsePath, (path) => host.inspect(path)),
    start: answering(parseJobRequest, (request) => host.start(request)),
    cancel: answering(parseJobId, (jobId) => host.cancel(jobId)),
    showInFolder: answering(parsePath, (path) => host.showInFolder(path)),
    openInVmware: answering(parsePath, (path) => host.openInVmware(path)),
    pickSource: strict(parseNothing, () => host.pickSource()),
    pickDestination: strict(parseNothing, () => host.pickDestination()),
    grantDropped: strict(parsePath, (path) => host.grantDropped(path)),
    ready: strict(parseNothing, () => host.ready()),
  };
}
