// The bridge's transport as direct calls, with a structured clone each way as IPC would do:
// the contract suite's transport-free baseline.
import type { ClientTransport, HostEvent, HostEventName } from '../../shared/host-contract';
import type { Unsubscribe } from '../../shared/result';
import type { HandlerTable } from '../../electron/handlers';

export interface EventSource {
  onEvent(listener: (event: HostEvent) => void): Unsubscribe;
}

export function memoryTransport(handlers: HandlerTable, host: EventSource): ClientTransport & { close(): void } {
  const offs: Unsubscribe[] = [];
  return {
    async invoke(method, arg) {
      const answer = await handlers[method](arg === undefined ? undefined : structuredClone(arg));
      return answer === undefined ? undefined : structuredClone(answer);
    },
    listen(name: HostEventName, listener) {
      const off = host.onEvent((event) => {
        if (event.name === name) listener(structuredClone(event.payload));
      });
      offs.push(off);
      return off;
    },
    close() {
      for (const off of offs.splice(0)) off();
    },
  };
}
