// Rasterises build-resources/icon.svg (the app) and vhd.svg (the .vhd document icon) with
// Debian's Chromium, and packs the PNGs into the formats electron-builder wants: icon.png and
// icons/<size>x<size>.png (Linux), icon.ico and vhd.ico (Windows), icon.icns and vhd.icns (macOS).
// Run after changing an SVG: `node --import tsx scripts/make-icons.ts`; the outputs are committed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const dir = join(__dirname, '..', 'build-resources');

/** ICO: a directory of PNG images (Windows Vista and later read PNG entries). */
export function packIco(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

/** ICNS element types holding PNG data, by pixel size (the @2x types share a size with a 1x one). */
const ICNS_TYPES: [string, number][] = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

export function packIcns(pngBySize: Map<number, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [type, size] of ICNS_TYPES) {
    const png = pngBySize.get(size);
    if (!png) continue;
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    parts.push(head, png);
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

async function rasterise(svg: string, sizes: number[]): Promise<Map<number, Buffer>> {
  const browser = await chromium.launch({ executablePath: process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const out = new Map<number, Buffer>();
    for (const size of sizes) {
      const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
      const data = Buffer.from(svg).toString('base64');
      await page.setContent(`<html><body style="margin:0;background:transparent"><img src="data:image/svg+xml;base64,${data}" width="${size}" height="${size}" style="display:block"></body></html>`);
      await page.waitForFunction(() => (globalThis as unknown as { document: { images: { complete: boolean }[] } }).document.images[0]?.complete === true);
      out.set(size, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }));
      await page.close();
    }
    return out;
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
  for (const name of ['icon', 'vhd'] as const) {
    const pngs = await rasterise(readFileSync(join(dir, `${name}.svg`), 'utf8'), sizes);
    writeFileSync(join(dir, `${name}.png`), pngs.get(name === 'icon' ? 1024 : 512)!);
    writeFileSync(join(dir, `${name}.ico`), packIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: pngs.get(size)! }))));
    writeFileSync(join(dir, `${name}.icns`), packIcns(pngs));
    if (name === 'icon') {
      mkdirSync(join(dir, 'icons'), { recursive: true });
      for (const size of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(join(dir, 'icons', `${size}x${size}.png`), pngs.get(size)!);
    }
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
