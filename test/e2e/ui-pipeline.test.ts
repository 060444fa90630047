// The web UI in real headless Chromium against a real server: sign in with a token, push a repo,
// watch the pipeline page update live as a scripted runner reports, open the failing job, see the
// coloured log and a collapsed section, expand it, retry, follow the new job's live log; variables
// (masked never shown), runners, registry; axe-core on every page; screenshots in test-results/ui/.
import { rm } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedUrl, git, startTestServer, workingCopy, type TestServer } from './server-kit.js';
import { axeViolations, launchBrowser, requireUiPrerequisites, runnerLog, screenshot, takeJob } from './ui-kit.js';

const CI = `stages: [build, test, deploy]
compile:
  stage: build
  script: [make]
unit:
  stage: test
  needs: [compile]
  script: [make test]
lint:
  stage: test
  script: [make lint]
deploy:
  stage: deploy
  needs: [unit, lint]
  script: [make deploy]
  when: manual
`;

let t: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let runnerToken: string;
let projectId: number;
const cleanup: string[] = [];
const base = () => t.url;

/** Waits for the page to reach a state (live updates, or the polling fallback within a few seconds). */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 100 });

async function expectAccessible(p: Page, what: string): Promise<void> {
  expect(await axeViolations(p), `axe on ${what}`).toEqual([]);
}

beforeAll(async () => {
  requireUiPrerequisites();
  t = await startTestServer({ longPollSeconds: 0 });
  runnerToken = (await t.api('POST', '/api/v4/runners', { token: t.registrationToken, run_untagged: true, description: 'ui-test-runner' })).json.token;
  const created = await t.admin('POST', '/api/v4/projects', { name: 'webapp', namespace: 'team', description: 'A project for the UI test' });
  projectId = created.json.id;
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: true });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe('web UI in Chromium', () => {
  it('asks for sign-in, rejects a wrong token and signs in with a personal access token', async () => {
    await page.goto(`${base()}/team/webapp/-/pipelines`);
    await page.waitForURL(/\/users\/sign_in\?redirect_to=/);
    await expectAccessible(page, 'sign-in');
    await page.getByLabel('Personal access token').fill('glpat-wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    await page.getByLabel('Personal access token').fill(t.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base()}/team/webapp/-/pipelines`);
    await poll(() => page.locator('h1').textContent()).toBe('Pipelines');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === '_drydock_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // Without the CSRF header the cookie alone cannot change anything.
    const status = await page.evaluate(async () => (await fetch('/api/v4/projects', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"evil","namespace":"team"}' })).status);
    expect(status).toBe(401);
  });

  it('shows a pushed pipeline updating live to its final status, with needs drawn as links', async () => {
    const wc = await workingCopy({ '.gitlab-ci.yml': CI, 'README.md': '# webapp\n' });
    cleanup.push(wc);
    await git(wc, ['push', '--quiet', authedUrl(t.url, 'dev', t.adminToken, 'team/webapp'), 'main']);
    const pipelines = await t.admin('GET', `/api/v4/projects/${projectId}/pipelines`);
    const pipelineId: number = pipelines.json[0].id;

    await page.goto(`${base()}/team/webapp/-/pipelines`);
    await page.getByRole('link', { name: `#${pipelineId}` }).click();
    await page.waitForURL(`${base()}/team/webapp/-/pipelines/${pipelineId}`);
    const card = (name: string) => page.locator(`.job-card[data-job-name="${name}"]`);
    await card('compile').waitFor();
    expect(await page.locator('.stage-name').allTextContents()).toEqual(['build', 'test', 'deploy']);
    await poll(() => page.locator('svg.needs path').count()).toBe(3); // compile→unit, unit→deploy, lint→deploy

    const compile = await takeJob(t, runnerToken, 'compile');
    await poll(() => card('compile').getAttribute('class')).toContain('st-running');
    await compile.trace(runnerLog({ script: ['make'], outcome: 'ok' }));
    await compile.finish('success');
    await poll(() => card('compile').getAttribute('class')).toContain('st-success');

    const first = await takeJob(t, runnerToken, ['lint', 'unit']);
    const second = await takeJob(t, runnerToken, first.name === 'lint' ? 'unit' : 'lint');
    const [lint, unit] = first.name === 'lint' ? [first, second] : [second, first];
    await lint.trace(runnerLog({ script: ['make lint'], outcome: 'ok' }));
    await lint.finish('success');
    await unit.trace(runnerLog({ script: ['make test'], outcome: 'fail', sectionLines: 40 }));
    await unit.finish('failed', { failure_reason: 'script_failure', exit_code: 1 });
    await poll(() => page.locator('h1 .badge').textContent()).toBe('failed');
    await poll(() => card('unit').getAttribute('class')).toContain('st-failed');
    await poll(() => card('deploy').getAttribute('class')).toContain('st-skipped');
    await screenshot(page, 'pipeline-failed');
    await expectAccessible(page, 'pipeline page');
  });

  it('opens the failing job: coloured log, collapsed section, line anchors; expands the section', async () => {
    await page.locator('.job-card[data-job-name="unit"] a').click();
    await page.waitForURL(/\/team\/webapp\/-\/jobs\/\d+$/);
    await page.getByText('FAIL: 2 of 40 tests failed').waitFor();
    expect(await page.getByText('script_failure').count()).toBeGreaterThan(0);
    // Colours: yellow FAIL, bold red ERROR, 256-colour and truecolor spans.
    // Log colours are inline styles on the spans (the browser normalises them to rgb()).
    const color = (text: string) => page.locator('.log-text span', { hasText: text }).first().evaluate((el) => el.style.color);
    expect(await color('FAIL: 2 of 40')).toBe('rgb(198, 144, 38)');
    expect(await color('ERROR: Job failed')).toBe('rgb(229, 83, 75)');
    expect(await color('warning:')).toBe('rgb(255, 135, 0)');
    expect(await color('truecolor')).toBe('rgb(120, 200, 255)');
    expect(await page.locator('.log-text span', { hasText: 'ERROR: Job failed' }).first().evaluate((el) => el.style.fontWeight)).toBe('700');
    // The collapsed prepare section hides its 40 lines; step_script is open with its duration.
    const prepare = page.locator('button.log-fold[data-section="prepare_executor"]');
    expect(await prepare.getAttribute('aria-expanded')).toBe('false');
    expect(await prepare.locator('.log-dur').textContent()).toBe('00:04');
    expect(await page.locator('button.log-fold[data-section="step_script"] .log-dur').textContent()).toBe('00:07');
    expect(await page.getByText('Using docker image sha256:0000').count()).toBe(0);
    await screenshot(page, 'job-failed-collapsed');
    await expectAccessible(page, 'job page');
    await prepare.focus();
    await page.keyboard.press('Enter');
    expect(await prepare.getAttribute('aria-expanded')).toBe('true');
    await page.getByText('Using docker image sha256:0000').first().waitFor();
    await screenshot(page, 'job-failed-expanded');
    // A line anchor link reveals and highlights its line.
    const url = page.url();
    await page.goto(`${url}#L5`);
    await page.reload();
    await poll(() => page.locator('.log-target .ln').textContent()).toBe('5');
    // Raw log download link points at the REST trace.
    const raw = await page.getByRole('link', { name: 'Download raw log' }).getAttribute('href');
    const res = await page.evaluate(async (href) => (await fetch(href!)).text(), raw);
    expect(res).toContain('section_start:');

    // Search sees the whole log, not only the rows in view: it opens the folded section and moves
    // through the matching lines with Enter / Shift+Enter.
    await page.goto(url.replace(/#.*$/, ''));
    await page.reload();
    expect(await prepare.getAttribute('aria-expanded')).toBe('false');
    const search = page.getByRole('searchbox', { name: 'Search the log' });
    await search.fill('SHA256:3');
    await page.getByText('– of 11').waitFor();
    await search.press('Enter');
    await poll(() => page.locator('.log-target .log-text').textContent()).toContain('sha256:33333333 ');
    expect(await prepare.getAttribute('aria-expanded')).toBe('true');
    await page.getByText('1 of 11').waitFor();
    expect(await page.locator('.log-match').count()).toBeGreaterThanOrEqual(11);
    await search.press('Enter');
    await poll(() => page.locator('.log-target .log-text').textContent()).toContain('sha256:3030303030303030');
    await search.press('Shift+Enter');
    await poll(() => page.locator('.log-target .log-text').textContent()).toContain('sha256:33333333 ');
    await screenshot(page, 'job-log-search');
    await expectAccessible(page, 'job page with a search');
    await search.fill('no such text');
    await page.getByText('No matches').waitFor();
  });

  it('retries the failed job and follows the new job\'s log live', async () => {
    const oldUrl = page.url().replace(/#.*$/, '');
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL((u) => u.toString() !== oldUrl && /\/-\/jobs\/\d+$/.test(u.pathname));
    await poll(() => page.locator('h1 .badge').textContent()).toBe('pending');
    const retried = await takeJob(t, runnerToken, 'unit');
    expect(page.url()).toContain(`/-/jobs/${retried.id}`);
    await poll(() => page.locator('h1 .badge').textContent()).toBe('running');
    await retried.trace(`\x1b[32;1m$ make test\x1b[0;m\nrunning 40 tests\n`);
    await page.getByText('running 40 tests').waitFor();
    await retried.trace('all 40 passed\n');
    await page.getByText('all 40 passed').waitFor();
    await retried.finish('success');
    await poll(() => page.locator('h1 .badge').textContent()).toBe('passed');
    await screenshot(page, 'job-retried-success');
    await page.getByRole('link', { name: /^#\d+$/ }).first().click();
    await page.waitForURL(/\/-\/pipelines\/\d+$/);
    await poll(() => page.locator('.job-card[data-job-name="unit"]').getAttribute('class')).toContain('st-success');
    // The manual deploy can now be played from the graph.
    await poll(() => page.locator('.job-card[data-job-name="deploy"]').getAttribute('class')).toContain('st-manual');
    await page.getByRole('button', { name: 'Play deploy' }).click();
    await poll(() => page.locator('.job-card[data-job-name="deploy"]').getAttribute('class')).toContain('st-pending');
    await screenshot(page, 'pipeline-after-retry-and-play');
  });

  it('lists projects, pipelines with filters, runners, variables (masked never shown) and the registry, all accessible', async () => {
    await t.admin('POST', `/api/v4/projects/${projectId}/variables`, { key: 'DEPLOY_TOKEN', value: 's3cr3t-value-xyz', masked: true });
    await t.admin('POST', `/api/v4/projects/${projectId}/variables`, { key: 'GREETING', value: 'hello' });
    await page.goto(`${base()}/`);
    await page.getByRole('link', { name: 'team/webapp' }).waitFor();
    await expectAccessible(page, 'projects');
    await page.goto(`${base()}/team/webapp/-/pipelines?status=failed`);
    await page.locator('h1', { hasText: 'Pipelines' }).waitFor();
    await poll(() => page.getByText('No pipelines match.').count()).toBe(1);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('table .badge').first().waitFor();
    await screenshot(page, 'pipelines');
    await expectAccessible(page, 'pipelines');
    await page.goto(`${base()}/team/webapp/-/settings/ci_cd`);
    await page.getByText('DEPLOY_TOKEN').waitFor();
    expect(await page.content()).not.toContain('s3cr3t-value-xyz');
    expect(await page.getByText('hello').count()).toBe(1);
    await page.getByRole('button', { name: 'Edit DEPLOY_TOKEN' }).click();
    expect(await page.getByLabel('Value').inputValue()).toBe('');
    expect(await page.content()).not.toContain('s3cr3t-value-xyz');
    // Saving a masked variable without a new value keeps the stored one (the form sends no value).
    await page.getByLabel('Protected').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(async () => (await t.admin('GET', `/api/v4/projects/${projectId}/variables/DEPLOY_TOKEN`)).json)
      .toMatchObject({ value: 's3cr3t-value-xyz', protected: true, masked: true });
    await page.getByRole('button', { name: 'Edit DEPLOY_TOKEN' }).click();
    await expectAccessible(page, 'variables');
    await screenshot(page, 'variables');
    await page.goto(`${base()}/admin/runners`);
    await page.locator('h1', { hasText: 'Runners' }).waitFor();
    await poll(() => page.locator('main').textContent()).toMatch(/ui-test-runner|does not list runners/);
    await expectAccessible(page, 'runners');
    await page.goto(`${base()}/team/webapp/-/container_registry`);
    await poll(() => page.locator('main').textContent()).toMatch(/No registry|No images yet|team\/webapp/);
    await expectAccessible(page, 'registry');
  });

  it('shows a trigger job with a link to the child pipeline it created', async () => {
    const created = await t.admin('POST', '/api/v4/projects', { name: 'parent', namespace: 'team' });
    const wc = await workingCopy({ '.gitlab-ci.yml': 'deploy child:\n  trigger: { include: child.yml, strategy: depend }\n', 'child.yml': 'child job:\n  script: [make]\n' });
    cleanup.push(wc);
    await git(wc, ['push', '--quiet', authedUrl(t.url, 'dev', t.adminToken, 'team/parent'), 'main']);
    const pipelines = (await t.admin('GET', `/api/v4/projects/${created.json.id}/pipelines`)).json as Array<{ id: number; source: string }>;
    const parentId = pipelines.find((p) => p.source === 'push')!.id;
    const childId = pipelines.find((p) => p.source === 'parent_pipeline')!.id;

    await page.goto(`${base()}/team/parent/-/pipelines/${parentId}`);
    const bridge = page.locator('.job-card[data-job-name="deploy child"]');
    await poll(() => bridge.getAttribute('class')).toContain('st-running');
    await bridge.getByRole('link').click();
    await page.getByRole('link', { name: `Pipeline #${childId}` }).click();
    await page.waitForURL(`${base()}/team/parent/-/pipelines/${childId}`);
    await page.locator('.job-card[data-job-name="child job"]').waitFor();
    await expectAccessible(page, 'child pipeline page');
    // The deploy job played in an earlier test may still be queued ahead of the child's job.
    let job = await takeJob(t, runnerToken, ['child job', 'deploy']);
    if (job.name === 'deploy') {
      await job.finish('success');
      job = await takeJob(t, runnerToken, 'child job');
    }
    await job.finish('success');
    await page.goto(`${base()}/team/parent/-/pipelines/${parentId}`);
    await poll(() => bridge.getAttribute('class')).toContain('st-success');
  });

  it('works on a phone-sized screen and signs out', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    const jobs = await t.admin('GET', `/api/v4/projects/${projectId}/jobs?scope=success`);
    await phone.goto(`${base()}/team/webapp/-/jobs/${jobs.json[0].id}`);
    await phone.locator('.log-row').first().waitFor();
    const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, 'job-phone');
    await expectAccessible(phone, 'job page on a phone');
    await phone.getByRole('button', { name: 'Sign out' }).click();
    await phone.waitForURL(/\/users\/sign_in/);
    // The session is gone: the user endpoint refuses, and the private project is no longer listed.
    const after = await phone.evaluate(async () => [(await fetch('/api/v4/user')).status, await (await fetch('/api/v4/projects')).json()]);
    expect(after).toEqual([401, []]);
    await phone.close();
  });
});
