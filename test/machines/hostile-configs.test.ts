// Damaged configurations: every parser answers with its own error or a description, never a crash
// (a RangeError from a read past the end, a stack overflow, a hang).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeHyperV } from '../../worker/engine/machines/hyperv-tree';
import { hyperVTreeFromXml } from '../../worker/engine/machines/hyperv-xml';
import { parseVmc } from '../../worker/engine/machines/vmc';
import { readVmcx, VmcxError } from '../../worker/engine/machines/vmcx';
import { decodeXmlBytes, parseXml } from '../../worker/engine/machines/xml';
import { hyperVXml, vmcFile } from './fixtures';
import { writeVmcx } from './vmcx-writer';

/** A small deterministic generator (xorshift32), so a failure replays. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe('damaged configurations', () => {
  it('.vmcx with bytes flipped: a VmcxError or a tree, nothing else', () => {
    const good = writeVmcx({
      configuration: {
        properties: { name: 'x', subtype: 1 },
        settings: { memory: { bank: { size: 1024 } }, processors: { count: 2 } },
        '_d422512d-2bf2-4752-809d-7b82b5fcb1b4_': { controller0: { drive0: { pathname: 'C:\\a.vhdx', type: 'VHD' } } },
      },
    });
    const next = rng(0x5eed);
    // The structures that matter: both headers, the object table, the key table.
    const hot = [...Array(64).keys(), ...Array.from({ length: 64 }, (_, i) => 0x1000 + i), ...Array.from({ length: 48 }, (_, i) => 0x2000 + i), ...Array.from({ length: good.length - 0x3000 }, (_, i) => 0x3000 + i)];
    let parsed = 0;
    for (let round = 0; round < 3000; round++) {
      const bad = Buffer.from(good);
      const flips = 1 + (next() % 4);
      for (let k = 0; k < flips; k++) bad[hot[next() % hot.length]!] = next() & 0xff;
      try {
        const { root } = readVmcx(bad);
        const m = describeHyperV(root, 'hyperv-vmcx', 'x');
        assert.ok(typeof m === 'string' || Array.isArray(m.disks));
        parsed++;
      } catch (err) {
        if (!(err instanceof VmcxError)) throw new Error(`round ${round}: ${(err as Error).stack}`);
      }
    }
    assert.ok(parsed > 0, 'some damaged files still parse (damage to values only)');
  });

  it('a .vmcx whose parent links loop, or a truncated file, is refused cleanly', () => {
    const good = writeVmcx({ configuration: { properties: { name: 'x' } } });
    for (let len = 0; len < good.length; len += 97) {
      try {
        readVmcx(good.subarray(0, len));
      } catch (err) {
        assert.ok(err instanceof VmcxError, `length ${len}: ${(err as Error).message}`);
      }
    }
  });

  it('XML configurations cut short or with bytes flipped: an error string or a machine', () => {
    const next = rng(42);
    for (const text of [hyperVXml({ name: 'n', memoryMB: 1, cpus: 1, generation: 2, disks: [{ bus: 'scsi', controller: 0, drive: 0, path: 'C:\\x.vhdx' }] }), decodeXmlBytes(vmcFile({ ramMB: 64, ide: [{ controller: 0, location: 0, absolute: 'C:\\a.vhd' }] }))]) {
      for (let round = 0; round < 1000; round++) {
        const chars = [...text];
        const cut = round % 3 === 0 ? next() % chars.length : chars.length;
        for (let k = 0; k < 3; k++) chars[next() % chars.length] = String.fromCharCode(next() % 128);
        const root = parseXml(chars.slice(0, cut).join(''));
        if (typeof root === 'string') continue;
        const m = root.name.toLowerCase() === 'preferences' ? parseVmc(root, 'x.vmc') : describeHyperV(hyperVTreeFromXml(root), 'hyperv-xml', 'x');
        assert.ok(typeof m === 'string' || Array.isArray(m.disks));
      }
    }
  });

  it('deeply nested XML is refused, not a stack overflow', () => {
    assert.match(String(parseXml(`${'<a>'.repeat(100000)}${'</a>'.repeat(100000)}`)), /deeper/);
  });
});
