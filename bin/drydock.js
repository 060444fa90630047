#!/usr/bin/env node
// Entry point of the `drydock` command: runs the compiled CLI from dist/ (`drydock run` from its
// bundle when one is built and up to date: see load-bundle.js).
import { loadRunBundle } from './load-bundle.js';

const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const { main } = (command === 'run' ? loadRunBundle() : undefined) ?? (await import('../dist/cli/main.js'));

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`drydock: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 70; },
);
