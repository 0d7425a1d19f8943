// The engine's notices said in English (the CLI's words), and its answers as they cross a
// boundary: lists of notices inside the engine, their English text and their codes outside.
import type { DiskInfo, GuestGuess, MachineInfo, SizeCandidates } from '../../shared/disk-info';
import type { JobResult } from '../../shared/jobs';
import { english, type AnyNotice, type Notice, type NoticeParam } from '../../shared/notices';

export { english, notice, type Notice, type NoticeParam } from '../../shared/notices';

/** Inside the engine, what is said is a notice; `warnings`/`evidence` strings exist only on the way out. */
export type EngineGuestGuess = Omit<GuestGuess, 'evidence' | 'evidenceCodes'> & { evidence: Notice[] };
export type EngineMachineInfo = Omit<MachineInfo, 'warnings' | 'warningCodes'> & { warnings: Notice[] };
export type EngineSizeCandidates = Omit<SizeCandidates, 'reason' | 'reasonCode'> & { reason: Notice };
export type EngineDiskInfo = Omit<DiskInfo, 'warnings' | 'warningCodes' | 'guest' | 'machine' | 'sizeCandidates'> & {
  sizeCandidates?: EngineSizeCandidates;
  guest?: EngineGuestGuess;
  machine?: EngineMachineInfo;
  warnings: Notice[];
};
export type EngineJobResult = Omit<JobResult, 'warnings' | 'warningCodes'> & { warnings: Notice[] };

const said = (notices: readonly Notice[]) => ({ warnings: notices.map(english), warningCodes: [...notices] });

// Each answer keeps its keys in their order (a key given a new value keeps its place); the codes
// come last, after everything `--json` printed before they existed.
export function wireMachine(m: EngineMachineInfo): MachineInfo {
  return { ...m, ...said(m.warnings) };
}

export function wireGuest(g: EngineGuestGuess): GuestGuess {
  return { ...g, evidence: g.evidence.map(english), evidenceCodes: [...g.evidence] };
}

/** What `inspect` answers, as the CLI prints it and the worker sends it. */
export function wireDiskInfo(info: EngineDiskInfo): DiskInfo {
  const wire = { ...info } as unknown as DiskInfo;
  if (info.guest) wire.guest = wireGuest(info.guest);
  if (info.machine) wire.machine = wireMachine(info.machine);
  if (info.sizeCandidates) wire.sizeCandidates = { ...info.sizeCandidates, reason: english(info.sizeCandidates.reason), reasonCode: info.sizeCandidates.reason };
  return Object.assign(wire, said(info.warnings));
}

export function wireJobResult(result: EngineJobResult): JobResult {
  return { ...result, ...said(result.warnings) };
}

/** `n` with every text parameter (nested ones too) cut to `max` units: values read from a guest's files can be any length. */
export function cutParams<N extends AnyNotice>(n: N, max: number): N {
  const cut = (p: NoticeParam): NoticeParam => (typeof p === 'string' ? (p.length > max ? `${p.slice(0, max - 1)}…` : p) : typeof p === 'number' ? p : cutParams(p, max));
  return { ...n, params: Object.fromEntries(Object.entries(n.params).map(([k, v]) => [k, cut(v)])) };
}
