// The sandboxed preload: exposes `window.ferry` (named functions only) over IPC. It may only
// require `electron`, so it is bundled into one CommonJS file with the shared code it uses.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createFerryApi } from '../shared/client';
import { eventChannel, invokeChannel, type ClientTransport } from '../shared/host-contract';

const transport: ClientTransport = {
  invoke: (method, arg) => (arg === undefined ? ipcRenderer.invoke(invokeChannel(method)) : ipcRenderer.invoke(invokeChannel(method), arg)),
  listen(name, listener) {
    const channel = eventChannel(name);
    // The page gets the payload only, never the event (which leads back to ipcRenderer).
    const forward = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
};

contextBridge.exposeInMainWorld(
  'ferry',
  createFerryApi(transport, (file) => webUtils.getPathForFile(file as File)),
);
