// The environment a shell-executor job starts with.
//
// gitlab-runner passes its whole os.Environ() to shell jobs. Drydock passes only what a build
// needs from the host (paths, locale, terminal, proxies, TLS trust, Docker client settings), so
// nothing of drydock's own process (tokens, CI_* of an outer CI job, NODE_OPTIONS, BASH_ENV)
// leaks into the job; the job's variables then come from the script's exports.

const PASSED = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TERM', 'TZ', 'TMPDIR',
  'http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY',
  'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_CONTEXT',
];

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Picks the allowed keys (plus LC_* and `extra`) from `parent`. */
export function shellEnvironment(parent: NodeJS.ProcessEnv, extra: readonly string[] = []): Record<string, string> {
  const allowed = new Set([...PASSED, ...extra]);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value !== undefined && (allowed.has(key) || key.startsWith('LC_'))) env[key] = value;
  }
  env['PATH'] ??= DEFAULT_PATH;
  return env;
}
