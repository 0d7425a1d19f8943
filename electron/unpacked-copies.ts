// The unpacked disk of a compressed source that an inspection keeps for the job that follows, so
// a download is unpacked once per pass through the wizard. Main owns it. It is released when the
// wizard moves on (another disk is inspected, the page goes away, the app quits) and when a job
// that read it ends, whatever the outcome ("cancel leaves nothing behind" covers it too); a
// released copy is removed at once, or when the last job still reading it ends.
// The copy's folder is one the inspection's worker announced as created (JobService drops a
// copy that lies anywhere else), so removing it removes only what Ferry made.
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { UnpackedCopy } from '../shared/worker-protocol';

interface Held {
  source: string;
  /** The engine's folder around the copy; removing it removes everything the unpack made. */
  folder: string;
  copy: UnpackedCopy;
  readers: number;
  released: boolean;
}

/** A job's claim on a held copy, returned when the job ends. */
export interface Loan {
  readonly copy: UnpackedCopy;
}

export class UnpackedCopies {
  private held: Held | null = null;
  private readonly loans = new WeakMap<Loan, Held>();
  private readonly removals = new Set<Promise<void>>();

  /**
   * Holds the copy an inspection of `source` kept in `dir`, releasing any other. A copy that is
   * not in a folder of its own inside `dir`, or not of `source`, is refused (answers false) and
   * left alone.
   */
  hold(source: string, dir: string, copy: UnpackedCopy): boolean {
    const folder = dirname(resolve(copy.file));
    if (dirname(folder) !== resolve(dir) || resolve(copy.archive) !== resolve(source)) return false;
    this.release();
    this.held = { source: resolve(source), folder, copy, readers: 0, released: false };
    return true;
  }

  /** Removes a copy that will not be held (its inspection was superseded). */
  discard(source: string, dir: string, copy: UnpackedCopy): void {
    const folder = dirname(resolve(copy.file));
    if (dirname(folder) === resolve(dir) && resolve(copy.archive) === resolve(source)) this.remove(folder);
  }

  /** Lends the copy held for `source` to a job about to start; null when there is none. */
  borrow(source: string): Loan | null {
    const held = this.held;
    if (!held || held.released || held.source !== resolve(source)) return null;
    held.readers++;
    const loan: Loan = { copy: held.copy };
    this.loans.set(loan, held);
    return loan;
  }

  /** The job that borrowed it ended: the pass it was kept for is over. Resolves once it is removed (if no other job reads it). */
  giveBack(loan: Loan): Promise<void> {
    const held = this.loans.get(loan);
    if (!held) return Promise.resolve();
    this.loans.delete(loan);
    held.readers--;
    held.released = true;
    if (this.held === held) this.held = null;
    return held.readers === 0 ? this.remove(held.folder) : Promise.resolve();
  }

  /** The wizard moved on: the held copy goes now, or when the last job reading it ends. */
  release(): void {
    const held = this.held;
    if (!held) return;
    this.held = null;
    held.released = true;
    if (held.readers === 0) void this.remove(held.folder);
  }

  /** Resolves once every removal started so far has finished. */
  async settled(): Promise<void> {
    while (this.removals.size > 0) await Promise.all([...this.removals]);
  }

  private remove(folder: string): Promise<void> {
    const removal = rm(folder, { recursive: true, force: true })
      .catch(() => undefined)
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
    return removal;
  }
}
