#!/usr/bin/env node
// Entry point of the `drydock` command: runs the compiled CLI from dist/ (`drydock run` from its
// bundle when one is built and up to date: see load-bundle.js). CommonJS (bin/package.json): a
// CommonJS entry starts faster than an ES module, and the ES modules of dist/ load with import().
'use strict';
const { loadRunBundle } = require('./load-bundle.js');

const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const bundle = command === 'run' ? loadRunBundle() : undefined;
(bundle ? Promise.resolve(bundle) : import('../dist/cli/main.js'))
  .then(({ main }) => main(process.argv))
  .then(
    (code) => { process.exitCode = code; },
    (err) => { console.error(`drydock: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 70; },
  );
