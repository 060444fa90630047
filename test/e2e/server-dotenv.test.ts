// artifacts:reports:dotenv through the coordinator, at the protocol level: a job uploads its dotenv
// report as gitlab-runner does (gzip, artifact_type=dotenv); the server checks it with GitLab's rules
// (400 for a bad one) and puts its variables into the payloads of the jobs that take that job's
// artifacts, above YAML variables and below project variables; jobs that do not depend on it get none.
import { rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authedUrl, git, jobRequestBody, startTestServer, workingCopy, type TestServer } from './server-kit.js';

const CI = `
stages: [build, test]
build:
  stage: build
  script: [./build.sh]
  artifacts:
    reports:
      dotenv: build.env
with_needs:
  stage: test
  needs: [build]
  variables:
    BUILD_VERSION: from-yaml
    DERIVED: "sha=$BUILD_SHA"
    IMAGE: "app:$BUILD_VERSION"
  script: [echo "$BUILD_VERSION"]
by_stage:
  stage: test
  script: [echo "$BUILD_VERSION"]
needs_no_artifacts:
  stage: test
  needs: [{ job: build, artifacts: false }]
  script: [echo "$BUILD_VERSION"]
no_dependencies:
  stage: test
  dependencies: []
  script: [echo "$BUILD_VERSION"]
`;

interface PayloadVariable { key: string; value: string; public: boolean; masked: boolean }
interface Payload { id: number; token: string; job_info: { name: string }; variables: PayloadVariable[]; artifacts: unknown[] | null }

let t: TestServer;
let wc: string;
let runnerToken: string;
let projectId: number;

beforeAll(async () => {
  t = await startTestServer();
  const created = await t.admin('POST', '/api/v4/projects', { name: 'dotenv', namespace: 'grp' });
  projectId = created.json.id;
  expect((await t.admin('POST', `/api/v4/projects/${projectId}/variables`, { key: 'PROJECT_WINS', value: 'project' })).status).toBe(201);
  const reg = await t.api('POST', '/api/v4/runners', { token: t.registrationToken, description: 'r', run_untagged: true });
  runnerToken = reg.json.token;
  wc = await workingCopy({ '.gitlab-ci.yml': CI });
  await git(wc, ['push', '--quiet', authedUrl(t.url, 'anyone', t.adminToken, 'grp/dotenv'), 'main']);
});

afterAll(async () => {
  await t?.close();
  if (wc) await rm(wc, { recursive: true, force: true });
});

async function take(): Promise<Payload> {
  const r = await t.api('POST', '/api/v4/jobs/request', jobRequestBody(runnerToken));
  expect(r.status).toBe(201);
  return r.json as Payload;
}

/** The value a job sees: the last entry of a key wins, as on the runner. */
function seen(p: Payload, key: string): PayloadVariable | undefined {
  return [...p.variables].reverse().find((v) => v.key === key);
}

async function upload(job: Payload, body: Buffer, format = 'gzip') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(body)]), 'build.env.gz');
  const res = await fetch(`${t.url}/api/v4/jobs/${job.id}/artifacts?artifact_format=${format}&artifact_type=dotenv`, {
    method: 'POST', headers: { 'JOB-TOKEN': job.token }, body: form,
  });
  return { status: res.status, json: await res.json().catch(() => undefined) as { message?: string } | undefined };
}

describe('dotenv reports (artifacts:reports:dotenv)', () => {
  it('refuses invalid reports with 400, stores a valid one, and passes its variables to dependent jobs only', async () => {
    const build = await take();
    expect(build.job_info.name).toBe('build');
    expect(build.artifacts).toEqual([expect.objectContaining({ artifact_type: 'dotenv', artifact_format: 'gzip', paths: ['build.env'] })]);

    const invalid = await upload(build, gzipSync('BUILD_VERSION=1\nnot a variable\n'));
    expect(invalid).toEqual({ status: 400, json: { message: expect.stringMatching(/^Invalid Format \(dotenv line 2\)/) } });
    const badKey = await upload(build, gzipSync('BUILD-VERSION=1\n'));
    expect(badKey.status).toBe(400);
    expect(badKey.json?.message).toContain("Key can contain only letters, digits and '_'");
    const tooMany = await upload(build, gzipSync(Array.from({ length: 21 }, (_, i) => `V${i}=${i}\n`).join('')));
    expect(tooMany).toEqual({ status: 400, json: { message: 'Dotenv files cannot have more than 20 variables' } });
    // A refused report is not kept.
    expect((await t.admin('GET', `/api/v4/projects/${projectId}/jobs/${build.id}`)).json.artifacts ?? []).toEqual([]);

    expect((await upload(build, gzipSync('BUILD_VERSION=1.2.3\nBUILD_SHA=abc123\nPROJECT_WINS=dotenv\n'))).status).toBe(201);
    expect((await t.api('PUT', `/api/v4/jobs/${build.id}`, { token: build.token, state: 'success' })).status).toBe(200);

    const byName = new Map<string, Payload>();
    for (let i = 0; i < 4; i++) {
      const p = await take();
      byName.set(p.job_info.name, p);
    }
    expect([...byName.keys()].sort()).toEqual(['by_stage', 'needs_no_artifacts', 'no_dependencies', 'with_needs']);

    // needs: [build] — dotenv beats the job's YAML variable, and YAML references to dotenv variables are expanded.
    const withNeeds = byName.get('with_needs')!;
    expect(seen(withNeeds, 'BUILD_VERSION')).toMatchObject({ value: '1.2.3', public: false, masked: false });
    expect(seen(withNeeds, 'DERIVED')?.value).toBe('sha=abc123');
    // A reference to a YAML variable the report overrides sees the report's value (GitLab expands at pickup).
    expect(seen(withNeeds, 'IMAGE')?.value).toBe('app:1.2.3');
    expect(withNeeds.variables.some((v) => 'yamlValue' in v)).toBe(false);
    // Project variables rank above dotenv.
    expect(seen(withNeeds, 'PROJECT_WINS')?.value).toBe('project');
    // Without needs/dependencies a later-stage job takes every earlier job's artifacts, dotenv included.
    expect(seen(byName.get('by_stage')!, 'BUILD_VERSION')?.value).toBe('1.2.3');
    // needs with artifacts: false, or dependencies: [] → nothing from build's report.
    expect(seen(byName.get('needs_no_artifacts')!, 'BUILD_VERSION')).toBeUndefined();
    expect(seen(byName.get('no_dependencies')!, 'BUILD_VERSION')).toBeUndefined();
  });
});
