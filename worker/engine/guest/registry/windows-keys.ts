// The few registry facts Ferry needs: the Windows version from SOFTWARE, and from SYSTEM the
// current control set and how each storage driver starts (Services\<driver>\Start, StartOverride).
import { fsError } from '../fs/volume';
import { Hive, REG, regDword, regString, type RegKey, type RegValue } from './regf';

export interface WindowsVersion {
  productName?: string;
  editionId?: string;
  installationType?: string;
  /** CurrentBuildNumber (or CurrentBuild) as a number. */
  build?: number;
  displayVersion?: string;
  /** The update build revision (UBR), when present. */
  ubr?: number;
}

const CURRENT_VERSION = 'Microsoft\\Windows NT\\CurrentVersion';

async function str(hive: Hive, key: RegKey, name: string): Promise<string | undefined> {
  const v = await hive.valueOf(key, name);
  if (!v || (v.type !== REG.sz && v.type !== REG.expandSz)) return undefined;
  const s = regString(await v.data()).trim();
  return s === '' ? undefined : s.slice(0, 256);
}

export async function readWindowsVersion(software: Hive): Promise<WindowsVersion | undefined> {
  const key = await software.path(CURRENT_VERSION);
  if (!key) return undefined;
  const out: WindowsVersion = {};
  const set = <K extends keyof WindowsVersion>(k: K, v: WindowsVersion[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('productName', await str(software, key, 'ProductName'));
  set('editionId', await str(software, key, 'EditionID'));
  set('installationType', await str(software, key, 'InstallationType'));
  set('displayVersion', (await str(software, key, 'DisplayVersion')) ?? (await str(software, key, 'ReleaseId')));
  const build = (await str(software, key, 'CurrentBuildNumber')) ?? (await str(software, key, 'CurrentBuild'));
  if (build && /^\d{1,6}$/.test(build)) out.build = Number(build);
  const ubr = await software.valueOf(key, 'UBR');
  if (ubr) set('ubr', regDword(ubr, await ubr.data()));
  return out;
}

export interface ServiceStart {
  /** Services\<name>\Start: 0 boot, 1 system, 2 automatic, 3 on demand, 4 disabled. */
  start?: number;
  /** StartOverride values by name (Windows 8+ may disable a driver there even when Start is 0). */
  startOverride: Record<string, number>;
  startValue?: RegValue;
  /** The StartOverride values themselves (for where their bytes are). */
  overrideValues: RegValue[];
  key: RegKey;
}

export interface ControlSet {
  current: number;
  name: string;
  services: Map<string, ServiceStart | undefined>;
}

/** The current control set (Select\Current) and the start settings of `drivers` in it. */
export async function readServices(system: Hive, drivers: readonly string[]): Promise<ControlSet> {
  const select = await system.path('Select');
  const currentValue = select ? await system.valueOf(select, 'Current') : undefined;
  const current = currentValue ? regDword(currentValue, await currentValue.data()) : undefined;
  if (current === undefined || current < 1 || current > 999) throw fsError('SYSTEM hive: Select\\Current is missing or not a control set number');
  const name = `ControlSet${String(current).padStart(3, '0')}`;
  const services = await system.path(`${name}\\Services`);
  if (!services) throw fsError(`SYSTEM hive: ${name}\\Services does not exist`);
  const out = new Map<string, ServiceStart | undefined>();
  for (const d of drivers) {
    const key = await system.subkey(services, d);
    if (!key) {
      out.set(d, undefined);
      continue;
    }
    const s: ServiceStart = { startOverride: {}, overrideValues: [], key };
    const start = await system.valueOf(key, 'Start');
    if (start) {
      const v = regDword(start, await start.data());
      if (v !== undefined) s.start = v;
      s.startValue = start;
    }
    const override = await system.subkey(key, 'StartOverride');
    if (override) {
      for (const v of await system.values(override)) {
        const n = regDword(v, await v.data());
        if (n !== undefined) {
          s.startOverride[v.name] = n;
          s.overrideValues.push(v);
        }
      }
    }
    out.set(d, s);
  }
  return { current, name, services: out };
}
