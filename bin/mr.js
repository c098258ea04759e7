#!/usr/bin/env node
'use strict';
// The `mr` command. The TypeScript sources compile to dist/ (npm run build).
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'sdk', 'cli', 'main.js');
// A fresh clone (or one installed with `npm install /path/to/clone` before building) has no
// dist/ yet: say so in one line rather than with Node's module-not-found stack.
if (!require('node:fs').existsSync(main)) {
  process.stderr.write(`mr: Groove is not built: run npm ci && npm run build in ${path.resolve(__dirname, '..')}\n`);
  process.exit(1);
}
require(main).main(process.argv.slice(2));
