// Bundled into /__ferry/bridge.js by the harness and loaded before the app: installs the same
// `window.ferry` the preload exposes in Electron, over a WebSocket to the harness's host.
import { createFerryApi } from '../../shared/client';
import { WS_PATH } from './ws-protocol';
import { webSocketTransport, type SocketLike } from './ws-transport';

interface HarnessConfig {
  /** Dropped files resolve by name inside this folder ('' when none was given). */
  dropDir: string;
  sep: string;
}

const scope = globalThis as unknown as {
  __FERRY_HARNESS__: HarnessConfig;
  location: { protocol: string; host: string };
  WebSocket: new (url: string) => SocketLike;
  ferry?: unknown;
};

const config = scope.__FERRY_HARNESS__;
const url = `${scope.location.protocol === 'https:' ? 'wss' : 'ws'}://${scope.location.host}${WS_PATH}`;
const transport = webSocketTransport(new scope.WebSocket(url));
scope.ferry = Object.freeze(
  createFerryApi(transport, (file) => (config.dropDir ? `${config.dropDir}${config.dropDir.endsWith(config.sep) ? '' : config.sep}${file.name}` : '')),
);
