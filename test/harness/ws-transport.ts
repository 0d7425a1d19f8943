// The bridge's transport over one WebSocket: the page's (and the contract tests') way to the
// harness. Written against the standard WebSocket interface, so the browser's and `ws` both fit.
import type { ClientTransport, HostEventName } from '../../shared/host-contract';
import { parseServerFrame } from './ws-protocol';

/** The standard WebSocket surface we use. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const OPEN = 1;

export interface WebSocketTransport extends ClientTransport {
  close(): void;
}

export function webSocketTransport(socket: SocketLike): WebSocketTransport {
  let nextId = 1;
  const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<HostEventName, Set<(payload: unknown) => void>>();
  const queue: string[] = [];
  let closed = false;

  socket.addEventListener('open', () => {
    for (const frame of queue.splice(0)) socket.send(frame);
  });
  socket.addEventListener('message', ({ data }) => {
    let frame;
    try {
      frame = parseServerFrame(JSON.parse(String(data)));
    } catch {
      return;
    }
    if ('event' in frame) {
      for (const listener of listeners.get(frame.event) ?? []) listener(frame.payload);
      return;
    }
    const call = calls.get(frame.id);
    if (!call) return;
    calls.delete(frame.id);
    if ('refused' in frame) call.reject(new Error(frame.refused));
    else call.resolve(frame.answer);
  });
  const failAll = (): void => {
    closed = true;
    for (const call of calls.values()) call.reject(new Error('The connection to the harness closed.'));
    calls.clear();
  };
  socket.addEventListener('close', failAll);
  socket.addEventListener('error', failAll);

  return {
    invoke(method, arg) {
      if (closed) return Promise.reject(new Error('The connection to the harness closed.'));
      const id = nextId++;
      const frame = JSON.stringify(arg === undefined ? { id, method } : { id, method, arg });
      return new Promise((resolve, reject) => {
        calls.set(id, { resolve, reject });
        if (socket.readyState === OPEN) socket.send(frame);
        else queue.push(frame);
      });
    },
    listen(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    close() {
      socket.close();
    },
  };
}
