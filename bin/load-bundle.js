// Loads `drydock run` from dist/bundle/drydock-run.cjs (scripts/build-cli-bundle.mjs: one file with
// its npm dependencies) through V8's code cache: no module resolution, no ESM linking, no compiling.
// Returns undefined when there is no bundle or it is older than dist/ (tsc ran since), so the
// caller loads dist/cli/main.js as before.
'use strict';
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

function loadRunBundle() {
  const dist = path.join(__dirname, '..', 'dist');
  const file = path.join(dist, 'bundle', 'drydock-run.cjs');
  const bundle = statSync(file, { throwIfNoEntry: false });
  const compiled = statSync(path.join(dist, 'cli', 'main.js'), { throwIfNoEntry: false });
  if (!bundle || !compiled || bundle.mtimeMs < compiled.mtimeMs) return undefined;
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No code cache: V8 compiles, as for any script.
  }
  // The CommonJS wrapper, so the bundle's require/module/__filename are its own.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, {
    filename: file, ...(cachedData ? { cachedData } : {}),
  });
  // scripts/build-cli-bundle.mjs: after a training run, keep what V8 compiled for the next runs.
  if (process.env.DRYDOCK_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

module.exports = { loadRunBundle };
