import { describe, expect, it } from 'vitest';
import { jobPayloadSchema } from '../../protocol/index.js';
import { mapFailureReason, repositoryUrl } from './run-runner-job.js';
import { buildDirs, safeProjectPath } from './build-dirs.js';

describe('mapFailureReason', () => {
  it('keeps reasons the server lists and maps the others like gitlab-runner', () => {
    expect(mapFailureReason('missing_dependency_failure', ['missing_dependency_failure'])).toBe('missing_dependency_failure');
    expect(mapFailureReason('image_pull_failure', ['script_failure'])).toBe('runner_system_failure');
    expect(mapFailureReason('runner_configuration_error', ['script_failure'])).toBe('script_failure');
    expect(mapFailureReason('script_failure', ['unknown_failure'])).toBe('script_failure');
    expect(mapFailureReason('runner_configuration_error', undefined)).toBe('runner_configuration_error');
  });
});

describe('repositoryUrl', () => {
  const payload = jobPayloadSchema.parse({
    id: 1, token: 'glcbt-tok', job_info: { id: 1, name: 'b', stage: 's', pipeline_id: 1, project_id: 1, project_name: 'app', project_full_path: 'grp/app' },
    git_info: { repo_url: 'http://gitlab-ci-token:glcbt-tok@ci.example/grp/app.git', ref: 'main', sha: 'a'.repeat(40) },
  });
  it('uses git_info.repo_url, or clone_url with the project path and the job token', () => {
    expect(repositoryUrl(payload, undefined)).toBe('http://gitlab-ci-token:glcbt-tok@ci.example/grp/app.git');
    expect(repositoryUrl(payload, 'http://10.0.0.5:8080/')).toBe('http://gitlab-ci-token:glcbt-tok@10.0.0.5:8080/grp/app.git');
  });
});

describe('buildDirs', () => {
  it('lays jobs out as <builds>/<short token>/<project slot>/<project path>', () => {
    expect(buildDirs({ workDir: '/w', executor: 'shell', shortToken: 'abc', concurrentProjectId: 1, projectPath: 'g/p' }))
      .toEqual({ hostBuildsRoot: '/w/builds', hostProjectDir: '/w/builds/abc/1/g/p', hostTmpDir: '/w/builds/abc/1/g/p.tmp' });
    expect(buildDirs({ workDir: '/w', buildsDir: '/srv/b', executor: 'shell', shortToken: 'abc', concurrentProjectId: 0, projectPath: 'g/p' }).hostProjectDir)
      .toBe('/srv/b/abc/0/g/p');
  });
  it('never lets a project path leave the builds dir', () => {
    expect(safeProjectPath('../../etc/x', 'fallback')).toBe('etc/x');
    expect(safeProjectPath(undefined, 'project-3')).toBe('project-3');
  });
});
