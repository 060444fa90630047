#!/usr/bin/env node
// Bundles `drydock run` (dist/cli/main.js with the run command and its npm dependencies) into one
// CommonJS file, dist/bundle/drydock-run.cjs, plus a V8 code cache beside it, which
// bin/load-bundle.js loads. Start-up is most of a short local pipeline's wall time: the bundle
// spares Node ~300 module resolutions and ESM links, the code cache spares V8 compiling them.
//
//   npx tsc -p tsconfig.json && node scripts/build-cli-bundle.mjs
//
// Run it after every tsc build: bin/load-bundle.js ignores a bundle older than dist/cli/main.js
// (and then loads dist/ as before), so a stale bundle is never used.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'cli', 'main.js');
const outfile = path.join(root, 'dist', 'bundle', 'drydock-run.cjs');

// Dependencies of dockerode that drydock never calls: ssh2 (ssh:// hosts, which connectDocker does
// not accept) with its native crypto, and gRPC/protobuf (BuildKit sessions, buildImage v2).
// Loading them is a third of dockerode's start-up; a call reaches this stub and fails clearly.
const UNUSED = ['ssh2', 'cpu-features', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs'];
const UNUSED_STUB = `
function unavailable() { throw new Error('drydock: this Docker feature (ssh:// host, BuildKit session) is not available'); }
module.exports = new Proxy(unavailable, { get: (_t, key) => (key === '__esModule' ? false : unavailable) });`;

/** The bundle serves `drydock run` only (bin/drydock.js sends other commands to dist/). */
const runOnly = {
  name: 'run-only',
  setup(build) {
    build.onResolve({ filter: /^\.\/[a-z-]+-command\.js$/ }, (a) =>
      (a.importer === entry && a.path !== './run-command.js' ? { path: a.path, namespace: 'other-command' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'other-command' }, (a) => ({
      contents: `export default () => { throw new Error('internal: ${a.path} is not in the run bundle'); };`, loader: 'js',
    }));
    build.onResolve({ filter: new RegExp(`^(${UNUSED.map((u) => u.replace(/[/.]/g, '\\$&')).join('|')})$`) }, (a) => ({ path: a.path, namespace: 'unused' }));
    build.onLoad({ filter: /.*/, namespace: 'unused' }, () => ({ contents: UNUSED_STUB, loader: 'js' }));
    // A vm.Script has no dynamic-import callback: `import('node:x')` becomes a require.
    build.onResolve({ filter: /^node:/ }, (a) => (a.kind === 'dynamic-import' ? { path: a.path, namespace: 'builtin' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: 'js' }));
  },
};

const started = Date.now();
const result = await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // The bundle sits two levels below the package root, like dist/cli/*.js, so the modules'
  // `new URL('../../package.json', import.meta.url)` still finds package.json.
  define: { 'import.meta.url': '__drydockBundleUrl' },
  banner: { js: "const __drydockBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  external: ['better-sqlite3'],
  plugins: [runOnly],
  metafile: true,
  logLevel: 'warning',
});
const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes ?? statSync(outfile).size;

// The code cache is taken after a real run (a one-job shell pipeline in a throw-away repository),
// so it holds the functions a run compiles, not only the top level.
rmSync(`${outfile}.v8cache`, { force: true });
const work = mkdtempSync(path.join(os.tmpdir(), 'drydock-bundle-'));
try {
  const repo = path.join(work, 'repo');
  const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, '.gitlab-ci.yml'), 'variables:\n  A: "1"\njob:\n  script:\n    - echo "$A"\n');
  git('add', '-A');
  git('-c', 'user.name=drydock', '-c', 'user.email=drydock@localhost', 'commit', '-q', '-m', 'bundle');
  execFileSync(process.execPath, [path.join(root, 'bin', 'drydock.js'), 'run', '--state-dir', path.join(work, 'state'), '--builds-dir', path.join(work, 'builds')], {
    cwd: repo, stdio: 'ignore', env: { ...process.env, DRYDOCK_WRITE_CODE_CACHE: '1', NO_COLOR: '1' },
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
const cache = statSync(`${outfile}.v8cache`, { throwIfNoEntry: false });
console.log(`${path.relative(root, outfile)}: ${(bytes / 1024).toFixed(0)} KiB, code cache ${cache ? `${(cache.size / 1024).toFixed(0)} KiB` : 'missing'}, ${Date.now() - started} ms`);
