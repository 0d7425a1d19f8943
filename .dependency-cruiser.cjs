// The house rules, checked in CI (`npm run layers`): the runtimes stay apart and the engine's
// layers only point down. formats → sources | writers → copy → jobs; shared/ under everything.
// machines/ (configurations read as whole machines) sits on sources and inspect, under jobs.
/** @type {import('dependency-cruiser').IConfiguration} */
const ENGINE = '^worker/engine/';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import circles make layers meaningless.', from: {}, to: { circular: true } },
    {
      name: 'electron-only-in-main-and-preload',
      severity: 'error',
      comment: 'Everything but the window, menu, dialogs and IPC wiring runs under plain Node and is tested without Electron.',
      from: { pathNot: '^electron/(main|preload)\\.ts$' },
      to: { path: '(^|/)node_modules/electron/' },
    },
    {
      name: 'renderer-imports-only-shared',
      severity: 'error',
      comment: 'The sandboxed renderer reaches the machine only through window.ferry; it shares types and rules, never code with Node.',
      from: { path: '^renderer/' },
      to: { pathNot: ['^renderer/', '^shared/'] },
    },
    {
      name: 'no-node-in-the-page-or-the-contract',
      severity: 'error',
      comment: 'The renderer and shared/ run where Node does not.',
      from: { path: '^(renderer|shared)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-stands-alone',
      severity: 'error',
      comment: 'shared/ is used by every runtime: no Node, no DOM, no engine.',
      from: { path: '^shared/' },
      to: { pathNot: '^shared/' },
    },
    {
      name: 'electron-never-imports-the-engine',
      severity: 'error',
      comment: 'Main starts the worker by its built file; rules both sides need live in shared/.',
      from: { path: '^electron/' },
      to: { path: '^(worker|renderer)/' },
    },
    {
      name: 'readers-and-writers-apart',
      severity: 'error',
      comment: 'Readers and writers share the on-disk structures through formats/, never each other.',
      from: { path: `${ENGINE}sources/` },
      to: { path: `${ENGINE}writers/` },
    },
    {
      name: 'writers-and-readers-apart',
      severity: 'error',
      from: { path: `${ENGINE}writers/` },
      to: { path: `${ENGINE}sources/` },
    },
    {
      name: 'formats-are-the-floor',
      severity: 'error',
      comment: 'formats/ holds on-disk structures as functions over buffers, under readers and writers alike.',
      from: { path: `${ENGINE}formats/` },
      to: { path: `${ENGINE}(sources|writers|copy|jobs|vm|ova|machine|machines|inspect|guest|output|deflate)/` },
    },
    {
      name: 'io-below-formats',
      severity: 'error',
      from: { path: `${ENGINE}io/` },
      to: { path: `${ENGINE}(formats|deflate|sources|writers|copy|jobs|vm|ova|machine|inspect)/` },
    },
    {
      name: 'deflate-serves-readers-and-writers',
      severity: 'error',
      from: { path: `${ENGINE}deflate/` },
      to: { path: `${ENGINE}(sources|writers|copy|jobs|vm|ova|machine|inspect)/` },
    },
    {
      name: 'sources-and-writers-below-copy',
      severity: 'error',
      from: { path: `${ENGINE}(sources|writers|formats|inspect|guest)/` },
      to: { path: `${ENGINE}(copy|jobs|vm|ova|machine|machines)/` },
    },
    {
      name: 'machines-above-disks',
      severity: 'error',
      comment: 'Configurations name disks; the disk readers never know about machines.',
      from: { path: `${ENGINE}(formats|io|deflate|sources|writers|inspect|copy)/` },
      to: { path: `${ENGINE}machines/` },
    },
    {
      name: 'machines-only-read',
      severity: 'error',
      comment: 'Reading a configuration writes nothing: no writers, copy, staging or packaging.',
      from: { path: `${ENGINE}machines/` },
      to: { path: `${ENGINE}(writers|copy|output|ova)/` },
    },
    {
      name: 'copy-below-jobs',
      severity: 'error',
      from: { path: `${ENGINE}copy/` },
      to: { path: `${ENGINE}(jobs|vm|ova|machine)/` },
    },
    {
      name: 'jobs-on-top',
      severity: 'error',
      comment: 'Only the CLI and the worker-thread entry run jobs.',
      from: { path: `${ENGINE}`, pathNot: `${ENGINE}jobs/` },
      to: { path: `${ENGINE}jobs/` },
    },
    {
      name: 'engine-never-imports-its-entries',
      severity: 'error',
      from: { path: ENGINE },
      to: { path: '^worker/(cli|thread)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: { path: ['^(shared|worker|electron|renderer|scripts)/', '(^|/)node_modules/electron/', '^(node:)?[a-z_/]+$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.d.ts'] },
  },
};
