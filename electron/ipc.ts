// Registers the handler table on Electron's ipcMain, refusing calls from any frame that is not
// our own top-level page (Electron security checklist §17). Typed structurally: no Electron import.
import { HOST_METHODS, invokeChannel } from '../shared/host-contract';
import type { HandlerTable } from './handlers';

/** The part of an IpcMainInvokeEvent we look at. */
export interface IpcEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Where our page may be loaded from: `app://ferry` when packaged, the dev server's origin in development. */
export interface TrustedOrigin {
  protocol: string;
  host: string;
}

export function originOf(url: string): TrustedOrigin | null {
  try {
    const u = new URL(url);
    return { protocol: u.protocol, host: u.host };
  } catch {
    return null;
  }
}

/** The top frame, loaded from one of `origins`; a missing frame (navigated away, destroyed) is untrusted. */
export function isTrustedSender(event: IpcEventLike, origins: readonly TrustedOrigin[]): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  const origin = originOf(frame.url);
  // Compare scheme and host: `URL.origin` is "null" for custom schemes such as app:.
  return origin !== null && origins.some((o) => o.protocol === origin.protocol && o.host === origin.host);
}

export class UntrustedSenderError extends Error {
  constructor(channel: string) {
    super(`Refused ${channel}: the sender is not Ferry's own window.`);
    this.name = 'UntrustedSenderError';
  }
}

/** Wires every host method to its channel; answers a function that removes them again. */
export function registerIpc(ipc: IpcMainLike, handlers: HandlerTable, isTrusted: (event: IpcEventLike) => boolean): () => void {
  for (const method of HOST_METHODS) {
    const channel = invokeChannel(method);
    ipc.handle(channel, async (event, ...args) => {
      if (!isTrusted(event)) throw new UntrustedSenderError(channel);
      if (args.length > 1) throw new Error(`Refused ${channel}: too many arguments.`);
      return handlers[method](args[0]);
    });
  }
  return () => {
    for (const method of HOST_METHODS) ipc.removeHandler(invokeChannel(method));
  };
}
