// The host's methods as a table of handlers that take raw, untrusted arguments: each checks its
// argument against the shared contract before the host sees it. Transports (IPC, WebSocket,
// memory) dispatch into this.
import { HOST_CONTRACT, HOST_METHODS, type HostMethod, type HostMethods } from '../shared/host-contract';
import { PayloadError, run } from '../shared/checks';
import { fail } from '../shared/result';

export type Handler = (arg: unknown) => Promise<unknown>;
export type HandlerTable = Readonly<Record<HostMethod, Handler>>;

function handlerFor(host: HostMethods, method: HostMethod): Handler {
  const spec = HOST_CONTRACT[method];
  const call = host[method] as (arg?: unknown) => Promise<unknown>;
  return async (raw) => {
    let arg: unknown;
    try {
      arg = run(spec.arg as (v: unknown, at: string) => unknown, raw, spec.argName);
    } catch (err) {
      // A method answering a Result reports a malformed argument as a typed failure; the others reject.
      if (err instanceof PayloadError && spec.failsAsResult) return fail({ code: 'E_USAGE', message: `Refused a malformed request: ${err.message}.` });
      throw err;
    }
    return arg === undefined ? call.call(host) : call.call(host, arg);
  };
}

export function createHandlers(host: HostMethods): HandlerTable {
  return Object.fromEntries(HOST_METHODS.map((m) => [m, handlerFor(host, m)])) as unknown as HandlerTable;
}
