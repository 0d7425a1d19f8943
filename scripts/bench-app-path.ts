// One conversion through the app's path — JobService → worker thread (out/main/thread.js) →
// engine, with every progress event relayed — for `npm run bench` to time beside the CLI.
// Prints `seconds=` measured from the request to the final event.
// Usage: node --import tsx scripts/bench-app-path.ts <source> <output.vmdk> <subformat>
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Subformat } from '../shared/options';
import { JobService } from '../electron/jobs';

const [source, output, subformat] = process.argv.slice(2) as [string, string, Subformat];
const service = new JobService({ createWorker: () => new Worker(join(__dirname, '..', 'out', 'main', 'thread.js')) });
let events = 0;
const started = performance.now();
service.onEvent((e) => {
  events++;
  if (e.type === 'progress') return;
  if (e.type !== 'done') {
    console.error(JSON.stringify(e));
    process.exit(1);
  }
  // Timed from the request, like an app user's click: tsx's start-up is not the app's.
  console.log(`seconds=${((performance.now() - started) / 1000).toFixed(3)} events=${events}`);
  process.exit(0);
});
void service.start({ kind: 'convert', source, output, subformat, adapter: 'lsilogic', verify: true, overwrite: false });
