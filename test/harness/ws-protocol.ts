// Frames of the harness's WebSocket bridge: calls out, answers and pushed events back. JSON.
import { HOST_EVENTS, HOST_METHODS, type HostEventName, type HostMethod } from '../../shared/host-contract';

export const WS_PATH = '/__ferry/ws';
/** The query parameter that carries the harness's secret, in the page's URL and the socket's. */
export const TOKEN_PARAM = 'token';

/** The bridge socket's URL for a page served at `pageUrl`: same host, the page's token passed on. */
export function socketUrlFor(pageUrl: string): string {
  const page = new URL(pageUrl);
  const socket = new URL(WS_PATH, page);
  socket.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  socket.searchParams.set(TOKEN_PARAM, page.searchParams.get(TOKEN_PARAM) ?? '');
  return socket.href;
}

export type ClientFrame = { id: number; method: HostMethod; arg?: unknown };
export type ServerFrame = { id: number; answer: unknown } | { id: number; refused: string } | { event: HostEventName; payload: unknown };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseClientFrame(v: unknown): ClientFrame {
  if (!isRecord(v) || !Number.isSafeInteger(v.id) || !(HOST_METHODS as readonly unknown[]).includes(v.method)) throw new Error('malformed call');
  const frame: ClientFrame = { id: v.id as number, method: v.method as HostMethod };
  if (v.arg !== undefined) frame.arg = v.arg;
  return frame;
}

export function parseServerFrame(v: unknown): ServerFrame {
  if (!isRecord(v)) throw new Error('malformed frame');
  if (typeof v.event === 'string') {
    if (!(HOST_EVENTS as readonly string[]).includes(v.event)) throw new Error('unknown event');
    return { event: v.event as HostEventName, payload: v.payload };
  }
  if (!Number.isSafeInteger(v.id)) throw new Error('malformed frame');
  if (typeof v.refused === 'string') return { id: v.id as number, refused: v.refused };
  if ('answer' in v) return { id: v.id as number, answer: v.answer };
  throw new Error('malformed frame');
}
