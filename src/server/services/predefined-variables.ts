// The predefined CI/CD variables the server sets (server facts §3.1–3.4): pre-pipeline ones feed
// the compiler (rules, workflow, include), job-only ones go into the runner payload.
import type { JobVariable } from '../../pipeline/spec/job-spec.js';
import type { CommitInfo } from '../git/git-repos.js';
import type { ProjectRecord } from '../store/store.js';
import { registryVariables } from './registry-variables.js';

export interface PipelineFacts {
  ref: string;
  refType: 'branch' | 'tag';
  sha: string;
  beforeSha: string;
  source: string;
  protectedRef: boolean;
  commit: CommitInfo;
}

export interface JobFacts {
  jobId: number;
  jobName: string;
  stage: string;
  token: string;
  pipelineId: number;
  pipelineIid: number;
  pipelineCreatedAt: string;
  startedAt: string;
  runnerId: number;
  runnerDescription: string;
  runnerTags: string[];
  manual: boolean;
  user: { id: number; username: string; name: string; email: string } | undefined;
  /** CI_REGISTRY's host[:port]; default the server URL's host, null = registry off. */
  registryHost?: string | null;
}

const pub = (key: string, value: string): JobVariable => ({ key, value, public: true, masked: false, file: false, raw: false });
const secret = (key: string, value: string): JobVariable => ({ key, value, public: false, masked: true, file: false, raw: false });

export function slugify(text: string, maxLength = 63): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '-').slice(0, maxLength).replace(/^-+|-+$/g, '');
}

/** Instance, project and commit variables known before the pipeline exists. */
export function prePipelineVariables(serverUrl: string, project: ProjectRecord, p: PipelineFacts): JobVariable[] {
  const url = new URL(serverUrl);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const [title = '', ...rest] = p.commit.message.split('\n');
  const vars = [
    pub('CI', 'true'), pub('GITLAB_CI', 'true'), pub('CI_SERVER_NAME', 'GitLab'), pub('CI_SERVER_URL', serverUrl),
    pub('CI_SERVER_HOST', url.hostname), pub('CI_SERVER_PORT', port), pub('CI_SERVER_PROTOCOL', url.protocol.replace(':', '')),
    pub('CI_SERVER_FQDN', url.host), pub('CI_API_V4_URL', `${serverUrl}/api/v4`), pub('CI_API_GRAPHQL_URL', `${serverUrl}/api/graphql`),
    pub('CI_PROJECT_ID', String(project.id)), pub('CI_PROJECT_NAME', project.path), pub('CI_PROJECT_TITLE', project.name),
    pub('CI_PROJECT_DESCRIPTION', project.description), pub('CI_PROJECT_PATH', project.fullPath),
    pub('CI_PROJECT_PATH_SLUG', slugify(project.fullPath)), pub('CI_PROJECT_NAMESPACE', project.namespacePath),
    pub('CI_PROJECT_ROOT_NAMESPACE', project.namespacePath.split('/')[0] ?? project.namespacePath),
    pub('CI_PROJECT_URL', `${serverUrl}/${project.fullPath}`), pub('CI_PROJECT_VISIBILITY', project.visibility),
    pub('CI_DEFAULT_BRANCH', project.defaultBranch), pub('CI_CONFIG_PATH', project.ciConfigPath),
    pub('CI_PIPELINE_SOURCE', p.source),
    pub('CI_COMMIT_SHA', p.sha), pub('CI_COMMIT_SHORT_SHA', p.sha.slice(0, 8)), pub('CI_COMMIT_BEFORE_SHA', p.beforeSha),
    pub('CI_COMMIT_REF_NAME', p.ref), pub('CI_COMMIT_REF_SLUG', slugify(p.ref)),
    pub('CI_COMMIT_REF_PROTECTED', String(p.protectedRef)),
    pub('CI_COMMIT_MESSAGE', p.commit.message), pub('CI_COMMIT_TITLE', title),
    pub('CI_COMMIT_DESCRIPTION', rest.join('\n').replace(/^\n+/, '')), pub('CI_COMMIT_TIMESTAMP', p.commit.timestamp),
    pub('CI_COMMIT_AUTHOR', `${p.commit.authorName} <${p.commit.authorEmail}>`),
  ];
  if (p.refType === 'branch') vars.push(pub('CI_COMMIT_BRANCH', p.ref));
  else vars.push(pub('CI_COMMIT_TAG', p.ref));
  return vars;
}

/** Variables that need the saved pipeline and job (CI_JOB_TOKEN, CI_REPOSITORY_URL...), lowest precedence first. */
/** The job's and pipeline's identity: what a trigger job, which has no runner or token, has too. */
export function jobIdentityVariables(serverUrl: string, project: ProjectRecord, j: Pick<JobFacts, 'jobId' | 'jobName' | 'stage' | 'pipelineId' | 'pipelineIid' | 'pipelineCreatedAt'>): JobVariable[] {
  return [
    pub('CI_JOB_ID', String(j.jobId)), pub('CI_JOB_URL', `${serverUrl}/${project.fullPath}/-/jobs/${j.jobId}`),
    pub('CI_JOB_NAME', j.jobName), pub('CI_JOB_NAME_SLUG', slugify(j.jobName)), pub('CI_JOB_STAGE', j.stage),
    pub('CI_PIPELINE_ID', String(j.pipelineId)), pub('CI_PIPELINE_IID', String(j.pipelineIid)),
    pub('CI_PIPELINE_URL', `${serverUrl}/${project.fullPath}/-/pipelines/${j.pipelineId}`),
    pub('CI_PIPELINE_CREATED_AT', j.pipelineCreatedAt),
  ];
}

export function jobVariables(serverUrl: string, project: ProjectRecord, j: JobFacts): JobVariable[] {
  const url = new URL(serverUrl);
  const repoUrl = `${url.protocol}//gitlab-ci-token:${j.token}@${url.host}${url.pathname.replace(/\/$/, '')}/${project.fullPath}.git`;
  const vars: JobVariable[] = [
    ...jobIdentityVariables(serverUrl, project, j),
    secret('CI_JOB_TOKEN', j.token), pub('CI_JOB_STARTED_AT', j.startedAt),
    { key: 'CI_REPOSITORY_URL', value: repoUrl, public: false, masked: false, file: false, raw: false },
    pub('CI_DEPENDENCY_PROXY_USER', 'gitlab-ci-token'), secret('CI_DEPENDENCY_PROXY_PASSWORD', j.token),
    pub('CI_RUNNER_ID', String(j.runnerId)), pub('CI_RUNNER_DESCRIPTION', j.runnerDescription),
    pub('CI_RUNNER_TAGS', JSON.stringify(j.runnerTags)),
  ];
  if (j.manual) vars.push(pub('CI_JOB_MANUAL', 'true'));
  vars.push(...registryVariables(serverUrl, project, j.token, j.registryHost));
  if (j.user) {
    vars.push(pub('GITLAB_USER_ID', String(j.user.id)), pub('GITLAB_USER_EMAIL', j.user.email),
      pub('GITLAB_USER_LOGIN', j.user.username), pub('GITLAB_USER_NAME', j.user.name));
  }
  return vars;
}
