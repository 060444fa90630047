// GIT_CLONE_PATH: a job's own checkout directory (gitlab-runner's getCustomBuildDir). Allowed only
// where [runners.custom_build_dir] is enabled, and only inside the builds dir; the value is the
// expanded variable, as the job would see it.
import path from 'node:path';

export type ClonePath =
  | { kind: 'default' }
  /** `dir` is the cleaned absolute path, `relative` its path under the builds dir. */
  | { kind: 'custom'; dir: string; relative: string }
  | { kind: 'error'; message: string; failureReason: 'runner_configuration_error' | 'script_failure' };

export function customClonePath(o: { value: string | undefined; buildsDir: string; enabled: boolean }): ClonePath {
  if (o.value === undefined || o.value === '') return { kind: 'default' };
  if (!o.enabled) {
    return { kind: 'error', failureReason: 'runner_configuration_error', message: 'setting GIT_CLONE_PATH is not allowed, enable `custom_build_dir` feature ([runners.custom_build_dir] enabled = true in config.toml)' };
  }
  const root = path.posix.normalize(o.buildsDir).replace(/\/+$/, '') || '/';
  const dir = path.posix.normalize(o.value).replace(/\/+$/, '');
  const relative = path.posix.isAbsolute(dir) ? path.posix.relative(root, dir) : '..';
  if (relative === '' || relative.startsWith('..')) {
    return { kind: 'error', failureReason: 'script_failure', message: `the GIT_CLONE_PATH=${JSON.stringify(o.value)} has to be within ${JSON.stringify(o.buildsDir)} (a directory inside it)` };
  }
  return { kind: 'custom', dir, relative };
}
