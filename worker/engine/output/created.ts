// What this job creates in folders the user owns, announced the moment each path exists (before
// anything is written into it), so whoever runs the engine can remove exactly those paths after
// a crash. In the app the worker thread forwards each one to main; the CLI cleans up itself.
import { resolve } from 'node:path';

type CreatedListener = (path: string) => void;

let listener: CreatedListener | undefined;

/** Sets (or clears) who hears about each created path; one task runs per worker, so one listener. */
export function onCreated(next: CreatedListener | undefined): void {
  listener = next;
}

export function announceCreated(path: string): void {
  listener?.(resolve(path));
}
