// Builds `window.ferry` over any transport (Electron IPC in the preload, the harness's WebSocket,
// memory in tests). Every answer and event is checked against host-contract.ts here, so a
// transport bug surfaces as a typed failure rather than as a malformed state in the UI.
import type { DroppedFile, FerryApi } from './api';
import { parseAnswer, parseHostEvent, type ClientTransport, type HostEventName, type HostEvents, type HostMethod } from './host-contract';
import type { Unsubscribe } from './result';

export function createFerryApi(transport: ClientTransport, pathOf: (file: DroppedFile) => string): FerryApi {
  let readySent = false;
  const call = async <M extends HostMethod>(method: M, arg?: unknown) => parseAnswer(method, await transport.invoke(method, arg));
  const subscribe = <K extends HostEventName>(name: K, listener: (payload: HostEvents[K]) => void): Unsubscribe =>
    transport.listen(name, (raw) => {
      const event = parseHostEvent({ name, payload: raw });
      if (event) listener(event.payload as HostEvents[K]);
    });

  return {
    inspect: (path) => call('inspect', path),
    onInspectProgress: (listener) => subscribe('inspectProgress', listener),
    inspectMachine: (request) => call('inspectMachine', request),
    start: (request) => call('start', request),
    cancel: (jobId) => call('cancel', jobId),
    onJobEvent: (listener) => subscribe('jobEvent', listener),
    onOpenFiles(listener) {
      const off = subscribe('openFiles', listener);
      if (!readySent) {
        readySent = true;
        void transport.invoke('ready');
      }
      return off;
    },
    pathForFile(file) {
      const path = pathOf(file);
      // Same transport, so the grant reaches the host before any inspect that follows.
      if (path) void transport.invoke('grantDropped', path);
      return path;
    },
    pickSource: () => call('pickSource'),
    pickSources: () => call('pickSources'),
    pickDestination: () => call('pickDestination'),
    showInFolder: (path) => call('showInFolder', path),
    openInVmware: (vmxPath) => call('openInVmware', vmxPath),
    useLanguage: (language) => call('useLanguage', language),
    onChooseLanguage: (listener) => subscribe('chooseLanguage', listener),
  };
}
