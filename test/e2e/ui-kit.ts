// Support for the web UI tests: Debian's Chromium driven by playwright-core, axe-core checks,
// screenshots under test-results/ui/, and a scripted runner that takes jobs and reports traces.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { jobRequestBody, type TestServer } from './server-kit.js';

export const SCREENSHOTS = path.resolve('test-results/ui');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails with what to do when the UI build or the browser is missing. */
export function requireUiPrerequisites(): void {
  if (!existsSync(path.resolve('dist/web/index.html'))) {
    throw new Error('dist/web/index.html is missing: build the web UI first (npm --prefix web ci && npm --prefix web run build)');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_PATH)`);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  // Page-side code as text: the tests compile without the DOM lib.
  const violations = await page.evaluate("axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)") as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

export interface TakenJob {
  id: number;
  name: string;
  token: string;
  /** Appends to the trace (gitlab-runner's PATCH with Content-Range). */
  trace(text: string): Promise<void>;
  finish(state: 'success' | 'failed', extra?: Record<string, unknown>): Promise<void>;
}

/** A runner scripted by the test: takes the next job (which must be `name`, or one of them) and reports on it. */
export async function takeJob(t: TestServer, runnerToken: string, name: string | string[]): Promise<TakenJob> {
  const r = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
  if (r.status !== 201) throw new Error(`expected job ${name}, the queue answered ${r.status}`);
  const payload = r.json as { id: number; token: string; job_info: { name: string } };
  if (![name].flat().includes(payload.job_info.name)) throw new Error(`expected job ${String(name)}, got ${payload.job_info.name}`);
  let offset = 0;
  const headers = { 'JOB-TOKEN': payload.token, 'content-type': 'text/plain' };
  return {
    id: payload.id, name: payload.job_info.name, token: payload.token,
    async trace(text) {
      const bytes = Buffer.from(text, 'utf8');
      const res = await t.api('PATCH', `/api/v4/jobs/${payload.id}/trace`, bytes, { ...headers, 'Content-Range': `${offset}-${offset + bytes.length - 1}` });
      if (res.status !== 202) throw new Error(`trace PATCH answered ${res.status}`);
      offset += bytes.length;
    },
    async finish(state, extra = {}) {
      const res = await t.api('PUT', `/api/v4/jobs/${payload.id}`, { token: payload.token, state, ...extra });
      if (res.status !== 200) throw new Error(`job update answered ${res.status}`);
    },
  };
}

const E = '\x1b';
/** A job log as gitlab-runner writes it: ANSI colours and collapsible sections. */
export function runnerLog(opts: { script: string[]; outcome: 'ok' | 'fail'; sectionLines?: number }): string {
  const now = 1_700_000_000;
  const out = [
    `${E}[0KRunning with gitlab-runner 17.0.0 (drydock test)${E}[0;m`,
    `section_start:${now}:prepare_executor[collapsed=true]\r${E}[0K${E}[0K${E}[36;1mPreparing the "docker" executor${E}[0;m${E}[0;m`,
  ];
  for (let i = 0; i < (opts.sectionLines ?? 3); i++) out.push(`Using docker image sha256:${String(i).repeat(8)} for alpine:3.12 ...`);
  out.push(`section_end:${now + 4}:prepare_executor\r${E}[0Ksection_start:${now + 4}:step_script\r${E}[0K${E}[0K${E}[36;1mExecuting "step_script" stage of the job script${E}[0;m${E}[0;m`);
  for (const line of opts.script) out.push(`${E}[32;1m$ ${line}${E}[0;m`);
  out.push(`${E}[38;5;208mwarning:${E}[0m 256-colour ${E}[3mitalic${E}[23m ${E}[4munderlined${E}[24m ${E}[38;2;120;200;255mtruecolor${E}[0m`);
  out.push(`section_end:${now + 11}:step_script\r${E}[0K`);
  out.push(opts.outcome === 'ok' ? `${E}[32;1mJob succeeded${E}[0;m` : `${E}[0;33mFAIL: 2 of 40 tests failed${E}[0m`);
  if (opts.outcome === 'fail') out.push(`${E}[31;1mERROR: Job failed: exit code 1${E}[0;m`);
  return `${out.join('\n')}\n`;
}
