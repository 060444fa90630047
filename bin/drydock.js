#!/usr/bin/env node
// Entry point of the `drydock` command: runs the compiled CLI from dist/.
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`drydock: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 70; },
);
