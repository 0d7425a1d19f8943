#!/usr/bin/env node
'use strict';
// The `ferry` command: the engine's CLI as built by `npm run build`.
require('../out/main/cli.js').runCli();
