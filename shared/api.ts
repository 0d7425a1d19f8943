// `window.ferry`: what the sandboxed renderer may ask of the machine, as types only. The wire under
// it is described once in host-contract.ts; client.ts builds this object over any transport.
import type { DiskInfo, MachineInfo } from './disk-info';
import type { Language } from './i18n/languages';
import type { JobEvent, JobRequest, Progress } from './jobs';
import type { Result, Unsubscribe } from './result';

export type { Result, Unsubscribe } from './result';

/** What inspecting a source answers: the disk, and where its output goes unless the user picks a folder. */
export interface Inspection {
  disk: DiskInfo;
  suggestedDestination: string;
}

/** What the wizard asks of a machine configuration: the user may have confirmed its disks outside its folder. */
export interface MachineRequest {
  path: string;
  allowOutsideDisks: boolean;
}

/**
 * A machine configuration's answer: every disk and where it was found; `disk` (the boot disk,
 * inspected, with `machine` in it) only once every disk was found and may be used.
 */
export interface MachineInspection {
  machine: MachineInfo;
  disk?: DiskInfo;
  suggestedDestination: string;
}

/** Progress of the inspection of `path` (unpacking a compressed download before looking inside). */
export type InspectProgress = { path: string } & Progress;

/** The part of a DOM `File` the bridge needs (shared code has no DOM types). */
export interface DroppedFile {
  readonly name: string;
}

/** `window.ferry`: the only way the renderer reaches the disk, the engine or the OS. */
export interface FerryApi {
  inspect(path: string): Promise<Result<Inspection>>;
  /** Progress of the inspection under way, while it has something slow to do (unpacking). */
  onInspectProgress(listener: (progress: InspectProgress) => void): Unsubscribe;
  inspectMachine(request: MachineRequest): Promise<Result<MachineInspection>>;
  /** Answers the new job's id; its events then arrive through `onJobEvent`. */
  start(request: JobRequest): Promise<Result<string>>;
  cancel(jobId: string): Promise<Result<null>>;
  onJobEvent(listener: (event: JobEvent) => void): Unsubscribe;
  /** Disks opened from the OS (double-click, "Open with", a second launch). */
  onOpenFiles(listener: (paths: string[]) => void): Unsubscribe;
  /** The path of a dropped file (`webUtils.getPathForFile`); '' when it has none. */
  pathForFile(file: DroppedFile): string;
  /** The OS's open dialog; null when the user closes it. */
  pickSource(): Promise<string | null>;
  /** The open dialog, several files at once; [] when the user closes it. */
  pickSources(): Promise<string[]>;
  pickDestination(): Promise<string | null>;
  showInFolder(path: string): Promise<Result<null>>;
  /** Opens a .vmx this app made with the OS's default handler (VMware Workstation, Player, Fusion). */
  openInVmware(vmxPath: string): Promise<Result<null>>;
  /** Tells main which language the page speaks, for its menu and dialogs (the page keeps the choice). */
  useLanguage(language: Language): Promise<null>;
  /** A language picked in main's Language menu, for the page to apply and remember. */
  onChooseLanguage(listener: (language: Language) => void): Unsubscribe;
}
