// Bundled into /__ferry/bridge.js by the harness and loaded before the app: installs the same
// `window.ferry` the preload exposes in Electron, over a WebSocket to the harness's host.
import { createFerryApi } from '../../shared/client';
import { socketUrlFor } from './ws-protocol';
import { webSocketTransport, type SocketLike } from './ws-transport';

interface HarnessConfig {
  /** Dropped files resolve by name inside this folder ('' when none was given). */
  dropDir: string;
  sep: string;
}

const scope = globalThis as unknown as {
  __FERRY_HARNESS__: HarnessConfig;
  location: { href: string };
  WebSocket: new (url: string) => SocketLike;
  ferry?: unknown;
};

const config = scope.__FERRY_HARNESS__;
// The token rides in the page's URL (never in what the harness serves, which any page could load).
const transport = webSocketTransport(new scope.WebSocket(socketUrlFor(scope.location.href)));
scope.ferry = Object.freeze(
  createFerryApi(transport, (file) => (config.dropDir ? `${config.dropDir}${config.dropDir.endsWith(config.sep) ? '' : config.sep}${file.name}` : '')),
);
