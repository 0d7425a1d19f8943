// What the renderer's bridge talks to, whatever carries it (Electron IPC in the app, a
// WebSocket in the harness, direct calls in tests). It owns the path policy; the OS pieces
// (dialogs, shell) are injected so it runs under plain Node.
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import type { Inspection, MachineInspection, MachineRequest } from '../shared/api';
import type { HostEvent, HostMethods } from '../shared/host-contract';
import { plannedPhases } from '../shared/progress';
import { fail, ok, type Result, type Unsubscribe } from '../shared/result';
import type { InspectAnswer } from '../shared/worker-protocol';
import type { ErrorInfo } from '../shared/errors';
import { OUTPUT_EXTENSION, hasOutputExtension, type JobRequest, type Progress } from '../shared/jobs';
import { isSourceName } from '../shared/source-names';
import { isSafeFileName } from '../shared/validate';
import { formatBytesIec as formatBytes } from '../shared/bytes';
import type { Language } from '../shared/i18n/languages';
import { english, notice } from '../shared/notices';
import type { JobService } from './jobs';
import { LaunchQueue } from './launch-files';
import { existingTarget } from './overwrite-targets';
import { PathGrants, PathSet } from './path-grants';
import { UnpackedCopies, type Loan } from './unpacked-copies';
import { ENGLISH, type Translate } from './translator';

export interface Dialogs {
  pickSource(): Promise<string | null>;
  /** The same dialog choosing several files; [] when closed (without it, the one-file dialog answers). */
  pickSources?(): Promise<string[]>;
  pickDestination(): Promise<string | null>;
}

export interface Shell {
  showInFolder(path: string): Promise<void> | void;
  /** Opens with the OS's default handler; answers '' on success or the OS's error text. */
  openPath(path: string): Promise<string>;
}

/** What the host needs of JobService (a fake in some tests). */
export type JobRunner = Pick<JobService, 'inspect' | 'start' | 'cancel' | 'onEvent'> & Partial<Pick<JobService, 'surveyMachine'>>;

export interface HostDeps {
  jobs: JobRunner;
  dialogs: Dialogs;
  shell: Shell;
  /** The folder a source's output goes to unless the user picks another. */
  suggestDestination(source: string): string;
  /** Whether a path reported by the bridge's `pathForFile` may become a source (its name is checked first). */
  acceptDrop(path: string): boolean;
  /** Main's own question before a job replaces `path`; true only when the user agreed. Absent: nothing is replaced. */
  confirmOverwrite?(path: string): Promise<boolean>;
  /** The page says which language it speaks (main's menu and dialogs follow). Absent: nothing follows. */
  useLanguage?(language: Language): void;
  /** The host's own messages in the language main follows; English when absent. */
  t?: Translate;
}

/**
 * The answer of an inspection that unpacked into the system's temporary folder because keeping the
 * copy beside the destination failed with `first`: a warning says so and what the job will need,
 * and a second E_NO_SPACE names both places.
 */
function unpackedInTemp(answer: Result<InspectAnswer>, first: ErrorInfo): Result<InspectAnswer> {
  if (!answer.ok) {
    if (answer.error.code !== 'E_NO_SPACE' || first.code !== 'E_NO_SPACE') return answer;
    return fail({ ...answer.error, message: `${first.message.replace(/\.$/, '')}; then, in the system's temporary folder: ${answer.error.message}` });
  }
  const { disk } = answer.value;
  const needs = disk.compression ? notice('needs-up-to', { size: formatBytes(disk.compression.unpackedSize) }) : notice('needs-room-for-disk');
  const warning = notice(first.code === 'E_NO_SPACE' ? 'unpacked-in-temp-no-room' : 'unpacked-in-temp', { error: first.message.replace(/\.$/, ''), folder: tmpdir(), needs });
  return ok({ disk: { ...disk, warnings: [...disk.warnings, english(warning)], warningCodes: [...disk.warningCodes, warning] } });
}


export class FerryHost implements HostMethods {
  readonly grants = new PathGrants();
  private readonly listeners = new Set<(event: HostEvent) => void>();
  private readonly launch = new LaunchQueue((paths) => this.emit({ name: 'openFiles', payload: paths }));
  private readonly offJobs: Unsubscribe;
  /** Running jobs: what each was asked, whether it unpacks its source, the kept copy it reads. */
  private readonly running = new Map<string, { request: JobRequest; unpacks: boolean; loan: Loan | null }>();
  /** Sources found to be compressed: their jobs unpack first, unless they read the inspection's copy. */
  private readonly compressed = new PathSet();
  private readonly copies = new UnpackedCopies();
  /** Machine configurations whose disks outside their folder the user confirmed (asked for with `allowOutsideDisks`). */
  private readonly outsideConfirmed = new PathSet();
  /** The inspection under way; a newer one (or the page going away) cancels it, and waits for it to end. */
  private inspecting: { abort: AbortController; ended: Promise<unknown> } | null = null;

  private readonly t: Translate;

  constructor(private readonly deps: HostDeps) {
    this.t = deps.t ?? ENGLISH;
    this.offJobs = deps.jobs.onEvent((event) => {
      if (event.type === 'progress') return this.emit({ name: 'jobEvent', payload: event });
      const job = this.running.get(event.jobId);
      this.running.delete(event.jobId);
      if (event.type === 'done') {
        const r = event.result;
        for (const path of [r.output, ...r.files, ...(r.vmx ? [r.vmx] : []), ...(r.folder ? [r.folder] : [])]) this.grants.outputs.add(path);
      }
      // The final event goes out once the kept copy the job read is removed: "done" or "cancelled" means nothing is left.
      if (job?.loan) void this.copies.giveBack(job.loan).then(() => this.emit({ name: 'jobEvent', payload: event }));
      else this.emit({ name: 'jobEvent', payload: event });
    });
  }

  onEvent(listener: (event: HostEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Disks from the OS (argv, open-file, second instance): allowed as sources, delivered when the renderer listens. */
  openFiles(paths: readonly string[]): void {
    for (const p of paths) this.grants.sources.add(p);
    this.launch.push(paths);
  }

  /** The renderer is gone (reload, closed window): queue launch files again; its inspection and kept copy are no longer wanted. */
  rendererGone(): void {
    this.launch.markNotReady();
    this.inspecting?.abort.abort();
    this.copies.release();
  }

  dispose(): void {
    this.offJobs();
    this.listeners.clear();
  }

  /** Before quitting (after the jobs have ended): stops the inspection and removes the kept copy. */
  async shutdown(): Promise<void> {
    this.inspecting?.abort.abort();
    await this.inspecting?.ended;
    this.copies.release();
    await this.copies.settled();
  }

  async inspect(path: string): Promise<Result<Inspection>> {
    if (!this.grants.sources.has(path)) return fail(this.notChosen('disks'));
    // The renderer only wants the newest answer: cancel the one under way, and start once it has
    // cleaned up (the two could be unpacking the same file into the same folder).
    const previous = this.inspecting;
    const mine = { abort: new AbortController(), ended: Promise.resolve() as Promise<unknown> };
    this.inspecting = mine;
    previous?.abort.abort();
    const work = (async () => {
      await previous?.ended;
      return this.inspectNow(path, mine);
    })();
    mine.ended = work.catch(() => undefined);
    const answer = await work;
    if (this.inspecting === mine) this.inspecting = null;
    return answer;
  }

  private async inspectNow(path: string, mine: { abort: AbortController }): Promise<Result<Inspection>> {
    if (mine.abort.signal.aborted) return fail({ code: 'E_CANCELLED', message: 'Cancelled.' });
    this.copies.release(); // another disk: the previous pass through the wizard is over
    const suggestedDestination = this.deps.suggestDestination(path);
    const answer = await this.inspectKeepingCopy(path, suggestedDestination, mine.abort.signal);
    const superseded = this.inspecting !== mine || mine.abort.signal.aborted;
    if (!answer.ok) return answer;
    const { disk, unpacked } = answer.value;
    if (unpacked) {
      if (superseded) this.copies.discard(path, suggestedDestination, unpacked);
      else this.copies.hold(path, suggestedDestination, unpacked);
    }
    if (disk.compression) this.compressed.add(path);
    this.grants.destinations.add(suggestedDestination);
    return ok({ disk, suggestedDestination });
  }

  async inspectMachine(request: MachineRequest): Promise<Result<MachineInspection>> {
    const { path, allowOutsideDisks } = request;
    if (!this.grants.sources.has(path)) return fail(this.notChosen('disks'));
    this.copies.release(); // another source: the previous pass through the wizard is over
    const survey = this.deps.jobs.surveyMachine;
    if (!survey) return fail({ code: 'E_UNSUPPORTED', message: this.t('host.noMachines') });
    const answer = await survey.call(this.deps.jobs, path, allowOutsideDisks);
    if (!answer.ok) return answer;
    if (allowOutsideDisks) this.outsideConfirmed.add(path);
    const suggestedDestination = this.deps.suggestDestination(path);
    this.grants.destinations.add(suggestedDestination);
    return ok({ ...answer.value, suggestedDestination });
  }

  /**
   * Inspects `path`, keeping a compressed source's unpacked disk beside the suggested destination
   * for the job. Where there is no room or no permission for that, it inspects as the CLI does (a
   * copy in the system's temporary folder, removed at once) and the job unpacks beside its output.
   */
  private async inspectKeepingCopy(path: string, near: string, signal: AbortSignal): Promise<Result<InspectAnswer>> {
    const onProgress = (progress: Progress): void => this.emit({ name: 'inspectProgress', payload: { path, ...progress } });
    // A worker stopped mid-unpack cannot clean up; JobService removes what it had created.
    const answer = await this.deps.jobs.inspect(path, { keepUnpackedIn: near, onProgress, signal });
    if (answer.ok) return answer;
    // Failures of the place beside the destination (not of the disk): inspect again without keeping,
    // and say so, since that unpacks a second time, into the system's temporary folder.
    if (!['E_NO_SPACE', 'E_PERMISSION', 'E_NOT_FOUND', 'E_IO'].includes(answer.error.code)) return answer;
    const again = await this.deps.jobs.inspect(path, { onProgress, signal });
    return unpackedInTemp(again, answer.error);
  }

  async start(request: JobRequest): Promise<Result<string>> {
    const refused = this.refusal(request);
    if (refused) return fail(refused);
    const confirmed = await this.confirmedOverwrite(request);
    if (!confirmed.ok) return confirmed;
    request = confirmed.value;
    const loan = this.copies.borrow(request.source);
    let jobId: string;
    try {
      jobId = await this.deps.jobs.start(request, loan ? { reuse: loan.copy } : {});
    } catch (err) {
      if (loan) await this.copies.giveBack(loan);
      throw err;
    }
    this.running.set(jobId, { request, unpacks: this.compressed.has(request.source) && loan === null, loan });
    return ok(jobId);
  }

  /**
   * The request as the engine may run it: "overwrite" holds only once the user confirmed, in
   * main's own dialog, the path it would replace. With nothing there it is dropped, so what
   * appears meanwhile is refused rather than replaced.
   */
  private async confirmedOverwrite(request: JobRequest): Promise<Result<JobRequest>> {
    if (!request.overwrite) return ok(request);
    const target = await existingTarget(request);
    if (target === null) return ok({ ...request, overwrite: false });
    const agreed = (await this.deps.confirmOverwrite?.(target)) ?? false;
    return agreed ? ok(request) : fail(this.notReplaced(target));
  }

  /** The phases a running job goes through (for the taskbar's overall progress). */
  phasesOf(jobId: string): ReturnType<typeof plannedPhases> {
    const job = this.running.get(jobId);
    return plannedPhases({ compressed: job?.unpacks ?? false, verify: job?.request.verify ?? false });
  }

  private refusal(request: JobRequest): ErrorInfo | null {
    if (!this.grants.sources.has(request.source)) return this.notChosen('disks');
    if ('extraSources' in request && request.extraSources?.some((p) => !this.grants.sources.has(p))) return this.notChosen('disks');
    // Disks outside a machine's folder: only for a configuration whose survey the user asked for with them confirmed.
    if ('allowOutsideDisks' in request && request.allowOutsideDisks && !this.outsideConfirmed.has(request.source)) {
      return { code: 'E_PERMISSION', message: this.t('host.outsideNotConfirmed', { path: request.source }), hint: this.t('host.outsideNotConfirmedHint') };
    }
    // A VM job names a folder to create its own folder in; the others name the file they write.
    const [folder, name] = 'destDir' in request ? [request.destDir, request.name] : [dirname(request.output), basename(request.output)];
    if (!this.grants.destinations.has(folder)) return this.notChosen('folders');
    if (name !== undefined && !isSafeFileName(name)) {
      return { code: 'E_USAGE', message: this.t('host.badName', { name }), hint: this.t('host.badNameHint') };
    }
    if (!('destDir' in request)) {
      if (!hasOutputExtension(request.kind, request.output)) return { code: 'E_USAGE', message: this.t('host.wrongExtension', { extension: OUTPUT_EXTENSION[request.kind] }) };
    }
    return null;
  }

  async cancel(jobId: string): Promise<Result<null>> {
    this.deps.jobs.cancel(jobId); // a job that already ended needs nothing more
    return ok(null);
  }

  async pickSource(): Promise<string | null> {
    const path = await this.deps.dialogs.pickSource();
    if (path !== null) this.grants.sources.add(path);
    return path;
  }

  async pickSources(): Promise<string[]> {
    const { dialogs } = this.deps;
    const paths = dialogs.pickSources ? await dialogs.pickSources() : [await dialogs.pickSource()].filter((p): p is string => p !== null);
    for (const path of paths) this.grants.sources.add(path);
    return paths;
  }

  async pickDestination(): Promise<string | null> {
    const path = await this.deps.dialogs.pickDestination();
    if (path !== null) this.grants.destinations.add(path);
    return path;
  }

  /** Only disks and folders the user chose (dialog, drop, launch file) may be used. */
  private notChosen(what: 'disks' | 'folders'): ErrorInfo {
    return { code: 'E_PERMISSION', message: what === 'disks' ? this.t('host.notChosenDisks') : this.t('host.notChosenFolders'), hint: this.t('host.notChosenHint') };
  }

  private notReplaced(path: string): ErrorInfo {
    return { code: 'E_EXISTS', message: this.t('host.notReplaced', { path }), hint: this.t('host.notReplacedHint') };
  }

  /** Only what a job made may be shown or opened. */
  private notMade(): ErrorInfo {
    return { code: 'E_PERMISSION', message: this.t('host.notMade') };
  }

  async showInFolder(path: string): Promise<Result<null>> {
    if (!this.grants.outputs.has(path)) return fail(this.notMade());
    await this.deps.shell.showInFolder(path);
    return ok(null);
  }

  async openInVmware(vmxPath: string): Promise<Result<null>> {
    if (!this.grants.outputs.has(vmxPath) || !/\.vmx$/i.test(vmxPath)) return fail(this.notMade());
    const problem = await this.deps.shell.openPath(vmxPath);
    if (problem === '') return ok(null);
    return fail({ code: 'E_IO', message: this.t('host.openFailed', { problem }), hint: this.t('host.openFailedHint') });
  }

  async grantDropped(path: string): Promise<null> {
    if (isSourceName(path) && this.deps.acceptDrop(path)) this.grants.sources.add(path);
    return null;
  }

  async ready(): Promise<null> {
    this.launch.markReady();
    return null;
  }

  async useLanguage(language: Language): Promise<null> {
    this.deps.useLanguage?.(language);
    return null;
  }

  /** A language picked in main's Language menu: passed to the page, which owns the choice. */
  chooseLanguageFromMenu(language: Language): void {
    this.emit({ name: 'chooseLanguage', payload: language });
  }

  private emit(event: HostEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
