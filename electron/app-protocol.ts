// The `app://ferry/` scheme that serves the built renderer (Electron security checklist §18: a custom
// protocol rather than file://). Only files under the renderer folder are reachable.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'ferry';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Also in renderer/index.html's meta tag (a test keeps the two equal). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export function contentTypeFor(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** The file under `root` a request URL names, or null for other hosts and escapes. */
export function assetPath(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (relative.includes('\0')) return null;
  if (relative === '/' || relative === '') relative = '/index.html';
  const path = normalize(join(root, relative));
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  return path.startsWith(base) ? path : null;
}

export interface AssetResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
}

/** Answers one request: the file with its type and the CSP header, or a plain 404. */
export async function serveAsset(root: string, requestUrl: string): Promise<AssetResponse> {
  const path = assetPath(root, requestUrl);
  const notFound: AssetResponse = { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' };
  if (!path) return notFound;
  try {
    const body = await readFile(path);
    return {
      status: 200,
      headers: {
        'content-type': contentTypeFor(path),
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
      },
      body,
    };
  } catch {
    return notFound;
  }
}
