// Web UI benchmark: a generated 50 MB job log (ANSI colours + sections, as gitlab-runner writes
// them) stored on a real server, opened on the job page in headless Chromium. Measures time to
// the first rendered log rows and time to scroll to the last line; the floor is Chromium showing
// the same bytes as plain text (text/plain, the browser's own <pre>). Not asserted anywhere.
//   npm --prefix web run build && npx tsx bench/ui/log-open.ts   (env: BENCH_LOG_MB=50 BENCH_RUNS=3)
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { startServer } from '../../src/server/app.js';
import { median } from '../_support/bench-kit.js';
import { generateLog } from './generate-log.js';

const MB = Number(process.env.BENCH_LOG_MB ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function api(base: string, token: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { 'PRIVATE-TOKEN': token, ...headers } };
  if (body instanceof Uint8Array) init.body = body;
  else if (body !== undefined) { init.body = JSON.stringify(body); (init.headers as Record<string, string>)['content-type'] = 'application/json'; }
  const res = await fetch(base + route, init);
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${route} → ${res.status} ${text.slice(0, 200)}`);
  try { return JSON.parse(text) as Record<string, any>; } catch { return {}; }
}

/** A finished job on a fresh server whose trace is `log`; returns the job page URL. */
async function serverWithLog(dataDir: string, log: Buffer) {
  const server = await startServer({ dataDir, port: 0, logLevel: 'silent', longPollSeconds: 0 });
  const token = server.credentials!.admin_token;
  const base = server.url;
  const project = await api(base, token, 'POST', '/api/v4/projects', { name: 'bench', namespace: 'ui' });
  const runner = await api(base, '', 'POST', '/api/v4/runners', { token: server.credentials!.runner_registration_token, run_untagged: true });
  // A pipeline needs a commit: push one with git.
  // Async git: the server answers the push from this same process.
  const run = promisify(execFile);
  const wc = await mkdtemp(path.join(os.tmpdir(), 'drydock-bench-ui-wc-'));
  const git = (...a: string[]) => run('git', a, { cwd: wc, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x' } });
  await git('init', '-q', '-b', 'main');
  await writeFile(path.join(wc, '.gitlab-ci.yml'), 'big-log:\n  script: [cat big.log]\n');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'bench');
  const remote = new URL(`${base}/ui/bench.git`);
  remote.username = 'bench';
  remote.password = token;
  await git('push', '-q', remote.toString(), 'main');
  const job = await api(base, '', 'POST', '/api/v4/jobs/request', { token: runner.token, info: { features: { trace_checksum: true } } });
  const chunk = 3 * 1024 * 1024;
  for (let off = 0; off < log.length; off += chunk) {
    const part = log.subarray(off, Math.min(off + chunk, log.length));
    await api(base, '', 'PATCH', `/api/v4/jobs/${job.id}/trace`, part,
      { 'JOB-TOKEN': job.token, 'content-type': 'text/plain', 'Content-Range': `${off}-${off + part.length - 1}` });
  }
  await api(base, '', 'PUT', `/api/v4/jobs/${job.id}`, { token: job.token, state: 'success' });
  await rm(wc, { recursive: true, force: true });
  return { server, token, jobUrl: `${base}/ui/bench/-/jobs/${job.id}` };
}

/** Our job page: ms to the first log rows, then ms to show the last line after jumping to the end. */
async function measureUi(page: Page, jobUrl: string, lines: number): Promise<{ first: number; end: number; download: number }> {
  const t0 = Date.now();
  await page.goto(jobUrl);
  await page.locator('.log-row').first().waitFor({ timeout: 120_000 });
  await page.waitForFunction("!document.querySelector('.log-head')?.textContent?.includes('loading')", undefined, { timeout: 120_000 });
  const first = Date.now() - t0;
  const download = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/trace')).pop()?.duration ?? 0);
  // Page-side code as text: this file compiles without the DOM lib, and tsx's keepNames helpers do not exist in the page.
  const end = Number(await page.evaluate(`(async () => {
    const el = document.querySelector('.log');
    const start = performance.now();
    el.scrollTop = el.scrollHeight;
    while (!document.getElementById('L${lines}')) await new Promise((r) => requestAnimationFrame(() => r()));
    await new Promise((r) => requestAnimationFrame(() => r()));
    return performance.now() - start;
  })()`));
  return { first, end, download };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Search from the top of the log for the text of its last line: ms from typing the query to that
 * line shown as the current match (the whole 50 MiB searched, Shift+Enter to the last match, its
 * sections opened, the row rendered).
 */
async function measureSearch(page: Page, lines: number): Promise<{ ms: number; floor: number }> {
  const needle = String(await page.evaluate(`document.getElementById('L${lines}').parentElement.querySelector('.log-text').textContent`)).trim().slice(-24);
  await page.evaluate("document.querySelector('.log').scrollTop = 0");
  const search = page.getByRole('searchbox', { name: 'Search the log' });
  await search.fill('');
  const t0 = Date.now();
  await search.fill(needle);
  await page.waitForFunction("!/^\\s*$/.test(document.querySelector('.log-search-status')?.textContent ?? '')", undefined, { timeout: 120_000 });
  await search.press('Shift+Enter'); // the last match: the last line
  await page.locator(`.log-target a#L${lines}`).waitFor({ timeout: 120_000 });
  const ms = Date.now() - t0;
  // The floor: one case-insensitive regular-expression scan of the same text in the page.
  const floor = Number(await page.evaluate(`(async () => {
    const text = await (await fetch(document.querySelector('a[download]').getAttribute('href'))).text();
    const re = new RegExp(${JSON.stringify(escapeRegExp(needle))}, 'gi');
    const start = performance.now();
    let n = 0;
    while (re.exec(text)) n++;
    return performance.now() - start;
  })()`));
  return { ms, floor };
}

/** The floor: the same text fetched and put into one <pre> (no colours, no sections, no virtualisation). */
async function measurePlain(page: Page, url: string): Promise<{ first: number; end: number }> {
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: 300_000 });
  await page.waitForFunction("document.body.dataset.ready === '1'", undefined, { timeout: 300_000, polling: 100 });
  const first = Date.now() - t0;
  const end = Number(await page.evaluate(`(async () => {
    const start = performance.now();
    window.scrollTo(0, document.documentElement.scrollHeight);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    return performance.now() - start;
  })()`));
  return { first, end };
}

const PLAIN_PAGE = `<!doctype html><meta charset="utf-8"><title>plain</title><body><pre id="log"></pre><script>
fetch('/log.txt').then((r) => r.text()).then((t) => { document.getElementById('log').textContent = t;
  requestAnimationFrame(() => requestAnimationFrame(() => { document.body.dataset.ready = '1'; })); });
</script></body>`;

const { text, lines, sections } = generateLog(MB * 1024 * 1024);
const log = Buffer.from(text, 'utf8');
console.log(`log: ${(log.length / 1024 / 1024).toFixed(1)} MiB, ${lines.toLocaleString()} lines, ${sections} sections`);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-bench-ui-'));
const { server, token, jobUrl } = await serverWithLog(dataDir, log);
const plain = createServer((req, res) => {
  if (req.url === '/log.txt') { res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }); res.end(log); return; }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(PLAIN_PAGE);
});
await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/users/sign_in`);
  await page.evaluate(async (t) => { await fetch('/users/sign_in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: t }) }); }, token);
  const ui: { first: number; end: number; download: number }[] = [];
  const floor: { first: number; end: number }[] = [];
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  const searches: { ms: number; floor: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    ui.push(await measureUi(page, jobUrl, lines));
    searches.push(await measureSearch(page, lines));
  }
  const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
  console.log(`drydock job page   first render: ${fmt(ui.map((x) => x.first))}; scroll to end: ${fmt(ui.map((x) => x.end))}`);
  console.log(`  of which the raw trace download (GET .../trace, 50 MiB over loopback): ${fmt(ui.map((x) => x.download))}`);
  console.log(`drydock log search  query typed → last line shown as the match: ${fmt(searches.map((x) => x.ms))}`);
  console.log(`  floor: one regular-expression scan of the same text in the page: ${fmt(searches.map((x) => x.floor))}`);
  for (let i = 0; i < RUNS; i++) floor.push(await measurePlain(page, plainUrl));
  console.log(`floor: plain <pre>  first render: ${fmt(floor.map((x) => x.first))}; scroll to end: ${fmt(floor.map((x) => x.end))}`);
  console.log(`drydock open + scroll to end: median ${median(ui.map((x) => x.first + x.end)).toFixed(0)} ms (target < 2000 ms); JS heap after: ${(heap / 1024 / 1024).toFixed(0)} MiB`);
} finally {
  await browser.close();
  plain.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}
