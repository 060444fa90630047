// Where a runner job lives on this machine. gitlab-runner shares one builds dir between jobs, so
// each job gets `<builds_dir>/<short-token>/<concurrent-project-id>/<project path>` (runner facts §5);
// the docker executor mounts that host directory at its own /builds/<project path>.
import path from 'node:path';

export interface BuildDirsInput {
  /** [[runners]] builds_dir for the shell executor; other executors keep their checkouts under workDir. */
  buildsDir?: string;
  /** `--working-directory` (default: cwd): root of builds and cache when not configured. */
  workDir: string;
  executor: string;
  shortToken: string;
  concurrentProjectId: number;
  /** `group/project` from job_info.project_full_path (sanitised). */
  projectPath: string;
}

export interface BuildDirs {
  /** The builds root the job sees as CI_BUILDS_DIR (shell: the configured builds_dir). */
  hostBuildsRoot: string;
  hostProjectDir: string;
  hostTmpDir: string;
}

/** `builds_dir` (shell executor; `$PWD` expanded, relative to workDir) or `<workDir>/builds`. */
export function hostBuildsRoot(o: Pick<BuildDirsInput, 'buildsDir' | 'workDir' | 'executor'>): string {
  return o.executor === 'shell' && o.buildsDir ? path.resolve(o.workDir, o.buildsDir.replace(/\$PWD|\$\{PWD\}/g, process.cwd())) : path.join(o.workDir, 'builds');
}

export function buildDirs(o: BuildDirsInput): BuildDirs {
  const root = hostBuildsRoot(o);
  const hostProjectDir = path.join(root, o.shortToken, String(o.concurrentProjectId), o.projectPath);
  return { hostBuildsRoot: root, hostProjectDir, hostTmpDir: `${hostProjectDir}.tmp` };
}

/** Host cache root: [[runners]] cache_dir for shell, else `<workDir>/cache`. */
export function cacheRoot(o: { cacheDir?: string; workDir: string; executor: string }): string {
  return o.executor === 'shell' && o.cacheDir ? path.resolve(o.workDir, o.cacheDir) : path.join(o.workDir, 'cache');
}

/** A project path safe to use as a directory: no absolute part, no `..`, only sane characters. */
export function safeProjectPath(fullPath: string | undefined, fallback: string): string {
  const parts = (fullPath ?? '').split('/').map((p) => p.replace(/[^A-Za-z0-9._-]/g, '_')).filter((p) => p !== '' && p !== '.' && p !== '..');
  return parts.length > 0 ? parts.join('/') : fallback;
}
