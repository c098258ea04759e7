#!/usr/bin/env node
'use strict';
// The `mr` command. The TypeScript sources compile to dist/ (npm run build).
require('../dist/sdk/cli/main.js').main(process.argv.slice(2));
