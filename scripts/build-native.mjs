// Builds worker/native/ferry_native.c (libdeflate and xxHash's XXH3 behind Node-API) into
// out/native/ when a C compiler, Node's headers, libdeflate's static library and xxHash's header
// are here (Debian: libdeflate-dev, libxxhash-dev). Without them it says so and stops: the engine
// then uses node:zlib (the same format at about twice the CPU) and XXH64 in WebAssembly.
// Node-API is ABI-stable, so the one build serves Node and Electron.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const source = join(root, 'worker/native/ferry_native.c');
const output = join(root, 'out/native/ferry_native.node');
const avx2Source = join(root, 'worker/native/xxh3_avx2.c');
// Linked into the addon, then removed: nothing else in out/ needs it.
const avx2Object = join(tmpdir(), `ferry-xxh3-avx2-${process.pid}.o`);
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Why the addon cannot be built here, or the compiler's arguments. */
function plan() {
  if (process.platform === 'win32') return 'Windows builds link against node.lib, which this script does not fetch';
  const cc = process.env.CC ?? ['cc', 'gcc', 'clang'].find(onPath);
  if (!cc) return 'no C compiler (cc, gcc or clang)';
  const headers = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'].find((d) => existsSync(join(d, 'node_api.h')));
  if (!headers) return "no Node-API headers (node_api.h) beside this Node";
  const libdirs = [process.env.LIBDEFLATE_LIBDIR, spawnSync('pkg-config', ['--variable=libdir', 'libdeflate'], { encoding: 'utf8' }).stdout?.trim(), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/local/lib', '/opt/homebrew/lib', '/usr/lib'];
  const lib = libdirs.filter(Boolean).map((d) => join(d, 'libdeflate.a')).find(existsSync);
  if (!lib) return "no static libdeflate (libdeflate.a; Debian's libdeflate-dev has it)";
  const incdir = [join(dirname(dirname(lib)), 'include'), '/usr/include', '/usr/local/include', '/opt/homebrew/include'].find((d) => existsSync(join(d, 'libdeflate.h')));
  if (!incdir) return 'no libdeflate.h';
  const xxhdir = [incdir, '/usr/include', '/usr/local/include', '/opt/homebrew/include'].find((d) => existsSync(join(d, 'xxhash.h')));
  if (!xxhdir) return "no xxhash.h (Debian's libxxhash-dev has it)";
  const macos = process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [];
  const warnings = ['-Wall', '-Wextra', '-Werror'];
  // On x86-64, XXH3's update also in an AVX2 build, which the addon picks where the CPU has AVX2.
  const avx2 = process.arch === 'x64' ? ['-O2', '-mavx2', '-fPIC', '-fvisibility=hidden', ...warnings, `-I${xxhdir}`, '-c', '-o', avx2Object, avx2Source] : undefined;
  const args = (withAvx2) => ['-O2', '-shared', '-fPIC', '-fvisibility=hidden', ...warnings, `-I${headers}`, `-I${incdir}`, `-I${xxhdir}`, ...(withAvx2 ? ['-DFERRY_XXH3_AVX2'] : []), ...macos, '-o', output, source, ...(withAvx2 ? [avx2Object] : []), lib];
  return { cc, avx2, args };
}

const how = plan();
if (typeof how === 'string') {
  console.log(`ferry_native not built (${how}): grains go through node:zlib, digests through XXH64 in WebAssembly.`);
} else {
  mkdirSync(dirname(output), { recursive: true });
  // Where the AVX2 object cannot be built, the addon is built without it (XXH3 in SSE2 only).
  const withAvx2 = how.avx2 !== undefined && spawnSync(how.cc, how.avx2, { encoding: 'utf8' }).status === 0;
  const res = spawnSync(how.cc, how.args(withAvx2), { encoding: 'utf8' });
  rmSync(avx2Object, { force: true });
  if (res.status !== 0) {
    console.error(`ferry_native: ${how.cc} failed; grains go through node:zlib, digests through XXH64 in WebAssembly.\n${res.stderr}`);
  }
}
