import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPLETE_EXAMPLES, FRAGMENTS, fillPlaceholders } from '../../../test/unit/runner-config/document-examples.js';
import { RunnerConfigError, formatConfigError } from './config-error.js';
import { loadRunnerConfig, parseRunnerConfig } from './load-runner-config.js';
import { BIG_CONFIG } from '../../../test/unit/runner-config/big-config.js';

const messages = (text: string) => parseRunnerConfig(text, 'config.toml').errors.map(formatConfigError);

describe('the guide\'s config.toml examples', () => {
  it.each(Object.entries(COMPLETE_EXAMPLES))('%s: the placeholder token is a syntax error that says to quote it', (_, text) => {
    const { errors, config } = parseRunnerConfig(text, 'config.toml');
    if (!/token = [A-Z]/.test(text)) return expect(errors).toEqual([]);
    expect(config).toBeUndefined();
    expect(errors.map(formatConfigError)).toEqual([
      expect.stringMatching(/^config\.toml:3:\d+: TOML syntax error: invalid value \(strings must be quoted/),
    ]);
  });

  it.each(Object.entries(FRAGMENTS).filter(([, t]) => t.includes('...')))('%s: "..." is named as a placeholder to delete', (_, text) => {
    const [error] = messages(text);
    expect(error).toMatch(/^config\.toml:2:\d+: TOML syntax error: .*placeholders such as "\.\.\." are not TOML/);
  });

  it.each(Object.entries({ ...COMPLETE_EXAMPLES, ...FRAGMENTS }))('%s parses once the placeholders are filled in', (_, text) => {
    const { config, errors } = parseRunnerConfig(fillPlaceholders(text), 'config.toml');
    expect(errors).toEqual([]);
    expect(config?.runners).toHaveLength(1);
  });

  it('reads the dind TLS entry as register wrote it', () => {
    const { config } = parseRunnerConfig(fillPlaceholders(COMPLETE_EXAMPLES.dindTls), 'config.toml');
    const runner = config?.runners[0];
    expect(runner).toMatchObject({ url: 'https://gitlab.com/', token: 'TOKEN', executor: 'docker' });
    expect(runner?.docker).toMatchObject({
      tls_verify: false,
      image: 'docker:20.10.16',
      privileged: true,
      disable_cache: false,
      volumes: ['/certs/client', '/cache'],
    });
    expect(runner?.cache?.s3).toBeDefined();
    expect(runner?.cache?.gcs).toEqual({});
  });

  it('reads the Kubernetes empty_dir and config_map volumes and the services', () => {
    const k8s = parseRunnerConfig(fillPlaceholders(COMPLETE_EXAMPLES.kubernetesTls), 'c').config?.runners[0]?.kubernetes;
    expect(k8s?.volumes?.empty_dir).toEqual([
      { name: 'docker-certs', mount_path: '/certs/client', medium: 'Memory', },
    ]);
    const cm = parseRunnerConfig(fillPlaceholders(FRAGMENTS.kubernetesClientConfig), 'c').config?.runners[0]?.kubernetes;
    expect(cm?.volumes?.config_map).toEqual([
      { name: 'docker-client-config', mount_path: '/root/.docker/config.json', sub_path: 'config.json', read_only: false, items: {} },
    ]);
    const svc = parseRunnerConfig(fillPlaceholders(FRAGMENTS.kubernetesServiceMirror), 'c').config?.runners[0];
    expect(svc?.name).toBe('kubernetes');
    expect(svc?.kubernetes?.services[0]?.command).toEqual(['--registry-mirror', 'https://registry-mirror.example.com']);
  });

  it('loads the legacy [runners.cache] Insecure key of the socket-binding example with a warning', () => {
    const { config, warnings } = parseRunnerConfig(fillPlaceholders(COMPLETE_EXAMPLES.socketBinding), 'config.toml');
    expect(config?.runners[0]?.cache?.Insecure).toBe(false);
    expect(warnings.map(formatConfigError)).toEqual([
      'config.toml:12: [runners.cache] Insecure: deprecated here; move it to [runners.cache.s3]',
    ]);
  });
});

describe('defaults', () => {
  it('applies gitlab-runner\'s defaults to an almost empty file', () => {
    const { config } = parseRunnerConfig('[[runners]]\n  [runners.docker]\n  [runners.kubernetes]\n  [runners.cache]\n', 'c');
    expect(config).toMatchObject({ concurrent: 1, check_interval: 3, shutdown_timeout: 30, log_level: 'info', log_format: 'runner' });
    const runner = config?.runners[0];
    expect(runner).toMatchObject({
      limit: 0,
      request_concurrency: 1,
      output_limit: 4096,
      unhealthy_requests_limit: 3,
      environment: [],
      feature_flags: {},
      executor: '',
    });
    expect(runner?.docker).toMatchObject({
      tls_verify: false,
      privileged: false,
      disable_cache: false,
      volumes: [],
      pull_policy: ['always'],
      allowed_pull_policies: [],
      wait_for_services_timeout: 30,
      shm_size: 0,
      services_limit: -1,
      extra_hosts: [],
      dns: [],
      cap_add: [],
      services: [],
      allowed_images: [],
      allowed_services: [],
    });
    expect(runner?.docker?.network_mode).toBeUndefined();
    expect(runner?.docker?.services_privileged).toBeUndefined();
    expect(runner?.kubernetes).toMatchObject({ poll_interval: 3, poll_timeout: 180, pull_policy: [], cleanup_resources_timeout: '5m' });
    expect(runner?.cache).toMatchObject({ Shared: false });
  });

  it('treats zero as "unset" where gitlab-runner does', () => {
    const text = [
      'check_interval = 0',
      'shutdown_timeout = 0',
      '[[runners]]',
      '  output_limit = 0',
      '  request_concurrency = 0',
      '  [runners.docker]',
      '    wait_for_services_timeout = 0',
    ].join('\n');
    const { config } = parseRunnerConfig(text, 'c');
    expect(config?.check_interval).toBe(3);
    expect(config?.shutdown_timeout).toBe(30);
    expect(config?.runners[0]?.output_limit).toBe(4096);
    expect(config?.runners[0]?.request_concurrency).toBe(1);
    expect(config?.runners[0]?.docker?.wait_for_services_timeout).toBe(30);
  });

  it('keeps -1 for wait_for_services_timeout (health check off) and a single pull_policy as a list', () => {
    const { config } = parseRunnerConfig('[[runners]]\n[runners.docker]\nwait_for_services_timeout = -1\npull_policy = "if-not-present"\n', 'c');
    expect(config?.runners[0]?.docker?.wait_for_services_timeout).toBe(-1);
    expect(config?.runners[0]?.docker?.pull_policy).toEqual(['if-not-present']);
  });

  it('reads a realistic config with every table', () => {
    const { config, errors, warnings } = parseRunnerConfig(BIG_CONFIG, 'config.toml');
    expect(errors.map(formatConfigError)).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config?.concurrent).toBe(8);
    expect(config?.runners.map((r) => r.executor)).toEqual(['docker', 'kubernetes', 'shell']);
    const [docker, k8s] = config?.runners ?? [];
    expect(docker?.token_obtained_at?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(docker?.docker?.services.map((s) => s.alias)).toEqual(['docker', undefined]);
    expect(docker?.docker?.sysctls).toEqual({ 'net.ipv4.ip_forward': '1' });
    expect(docker?.docker?.services_privileged).toBe(true);
    expect(docker?.cache?.s3?.BucketName).toBe('runner-cache');
    expect(docker?.feature_flags).toEqual({ FF_NETWORK_PER_BUILD: true, FF_USE_FASTZIP: false });
    expect(k8s?.kubernetes?.volumes?.host_path[0]?.host_path).toBe('/var/run/docker.sock');
    expect(k8s?.kubernetes?.volumes?.csi[0]?.volume_attributes).toEqual({ secretProviderClass: 'vault' });
    expect(k8s?.kubernetes?.volumes?.pvc[0]?.name).toBe('cache-pvc');
    expect(k8s?.kubernetes?.volumes?.secret[0]?.items).toEqual({ 'ca.crt': 'certs/ca.crt' });
    expect(k8s?.cache?.gcs?.BucketName).toBe('gcs-cache');
    expect(config?.runners[2]?.ssh).toEqual({ host: 'build.example.com', user: 'ci' });
  });
});

describe('errors name the file, the line, the table and the key', () => {
  // [case, text, expected formatted error]
  const cases: Array<[string, string, string]> = [
    ['boolean given as a string', '[[runners]]\n  executor = "docker"\n  [runners.docker]\n    privileged = "yes"\n',
      'config.toml:4: [runners.docker] privileged: expected a boolean (true or false, unquoted), got "yes"'],
    ['unknown key in [[runners]] #2', '[[runners]]\n  name = "a"\n[[runners]]\n  name = "b"\n  exector = "docker"\n',
      'config.toml:5: [[runners]] #2: unknown key "exector" (did you mean "executor"?)'],
    ['unknown top-level key', 'concurent = 2\n',
      'config.toml:1: top level: unknown key "concurent" (did you mean "concurrent"?)'],
    ['unknown key in [runners.docker]', '[[runners]]\n[runners.docker]\nprivilege = true\n',
      'config.toml:3: [runners.docker]: unknown key "privilege" (did you mean "privileged"?)'],
    ['unknown key in [[runners.docker.services]]', '[[runners]]\n[runners.docker]\n[[runners.docker.services]]\nname = "docker:dind"\naliass = "docker"\n',
      'config.toml:5: [[runners.docker.services]] #1: unknown key "aliass" (did you mean "alias"?)'],
    ['unknown key in [runners.kubernetes]', '[[runners]]\n[runners.kubernetes]\nnamespaces = "ci"\n',
      'config.toml:3: [runners.kubernetes]: unknown key "namespaces" (did you mean "namespace"?)'],
    ['unknown key in a kubernetes volume', '[[runners]]\n[runners.kubernetes]\n[[runners.kubernetes.volumes.empty_dir]]\nname = "c"\nmount_path = "/c"\nmountPath = "/c"\n',
      'config.toml:6: [[runners.kubernetes.volumes.empty_dir]] #1: unknown key "mountPath" (did you mean "mount_path"?)'],
    ['unknown volume kind', '[[runners]]\n[runners.kubernetes]\n[[runners.kubernetes.volumes.hostpath]]\nname = "x"\n',
      'config.toml:3: [runners.kubernetes.volumes]: unknown key "hostpath" (did you mean "host_path"?)'],
    ['snake_case key in the CamelCase cache table', '[[runners]]\n[runners.cache]\nType = "s3"\n[runners.cache.s3]\nbucket_name = "b"\n',
      'config.toml:5: [runners.cache.s3]: unknown key "bucket_name" (did you mean "BucketName"?)'],
    ['unknown key with no close match', '[[runners]]\n  foo = 1\n',
      'config.toml:2: [[runners]] #1: unknown key "foo" (remove it or check the spelling)'],
    ['invalid pull_policy in a list', '[[runners]]\n[runners.docker]\npull_policy = ["always", "if-not-exist"]\n',
      'config.toml:3: [runners.docker] pull_policy[1]: expected one of "always", "if-not-present", "never", got "if-not-exist" (did you mean "if-not-present"?)'],
    ['invalid pull_policy as a string', '[[runners]]\n[runners.docker]\npull_policy = "allways"\n',
      'config.toml:3: [runners.docker] pull_policy[0]: expected one of "always", "if-not-present", "never", got "allways" (did you mean "always"?)'],
    ['pull_policy of the wrong type', '[[runners]]\n[runners.docker]\npull_policy = 1\n',
      'config.toml:3: [runners.docker] pull_policy: expected a pull policy or a list of pull policies; got 1'],
    ['negative concurrent', 'concurrent = -1\n',
      'config.toml:1: concurrent: must be at least 1 (it caps the jobs run at once across all [[runners]]); got -1'],
    ['concurrent 0', 'concurrent = 0\n',
      'config.toml:1: concurrent: must be at least 1 (it caps the jobs run at once across all [[runners]]); got 0'],
    ['float where an integer is expected', '[[runners]]\n  limit = 1.5\n',
      'config.toml:2: [[runners]] #1 limit: expected an integer, got 1.5'],
    ['negative limit', '[[runners]]\n  limit = -3\n',
      'config.toml:2: [[runners]] #1 limit: must be 0 (no limit) or a number of jobs; got -3'],
    ['string where a list is expected', '[[runners]]\n[runners.docker]\nvolumes = "/cache"\n',
      'config.toml:3: [runners.docker] volumes: expected a list, got "/cache"'],
    ['wrong type inside a list, on its own line', '[[runners]]\n[runners.docker]\nvolumes = [\n  "/cache",\n  42,\n]\n',
      'config.toml:5: [runners.docker] volumes[1]: expected a string, got 42'],
    ['unknown executor', '[[runners]]\n  executor = "dokcer"\n',
      'config.toml:2: [[runners]] #1 executor: expected one of "shell", "docker", "docker-windows", "docker+machine", "docker-autoscaler", "instance", "kubernetes", "ssh", "parallels", "virtualbox", "custom", got "dokcer" (did you mean "docker"?)'],
    ['environment entry without =', '[[runners]]\n  environment = ["DOCKER_DRIVER=overlay2", "DOCKER_TLS_CERTDIR"]\n',
      'config.toml:2: [[runners]] #1 environment[1]: "DOCKER_TLS_CERTDIR" has no "=" (write it as KEY=value)'],
    ['service environment entry without =', '[[runners]]\n[runners.docker]\n[[runners.docker.services]]\nname = "docker:dind"\nenvironment = ["X"]\n',
      'config.toml:5: [[runners.docker.services]] #1 environment[0]: "X" has no "=" (write it as KEY=value)'],
    ['service without name', '[[runners]]\n[runners.docker]\n[[runners.docker.services]]\nalias = "docker"\n',
      'config.toml:3: [[runners.docker.services]] #1: missing required key "name"'],
    ['kubernetes volume without mount_path', '[[runners]]\n[runners.kubernetes]\n[[runners.kubernetes.volumes.config_map]]\nname = "docker-daemon"\n',
      'config.toml:3: [[runners.kubernetes.volumes.config_map]] #1: missing required key "mount_path"'],
    ['feature flag that is not a boolean', '[[runners]]\n[runners.feature_flags]\nFF_NETWORK_PER_BUILD = "true"\n',
      'config.toml:3: [runners.feature_flags] FF_NETWORK_PER_BUILD: expected a boolean (true or false, unquoted), got "true"'],
    ['feature flag with a bad name', '[[runners]]\n[runners.feature_flags]\nnetwork_per_build = true\n',
      'config.toml:3: [runners.feature_flags]: bad key "network_per_build": feature flag names look like FF_NETWORK_PER_BUILD'],
    ['[runners] written with single brackets', '[runners]\nname = "x"\n',
      'config.toml:1: runners: expected [[runners]] tables (write [[runners]], with double brackets); got a table'],
    ['bad cache type', '[[runners]]\n[runners.cache]\nType = "S3"\n',
      'config.toml:3: [runners.cache] Type: expected one of "s3", "gcs", "azure", got "S3" (did you mean "s3"?)'],
    ['bad duration', '[[runners]]\n  prepare_timeout = "ten minutes"\n',
      'config.toml:2: [[runners]] #1 prepare_timeout: expected a duration like "30s", "15m" or "1h30m"; got "ten minutes"'],
    ['quoted date-time', '[[runners]]\n  token_obtained_at = "2024-05-01T10:00:00Z"\n',
      'config.toml:2: [[runners]] #1 token_obtained_at: expected a date-time like 2024-05-01T10:00:00Z (unquoted); got "2024-05-01T10:00:00Z"'],
    ['bad log level', 'log_level = "verbose"\n',
      'config.toml:1: log_level: expected one of "debug", "info", "warn", "warning", "error", "fatal", "panic", got "verbose"'],
    ['bad empty_dir medium', '[[runners]]\n[runners.kubernetes]\n[[runners.kubernetes.volumes.empty_dir]]\nname = "c"\nmount_path = "/c"\nmedium = "memory"\n',
      'config.toml:6: [[runners.kubernetes.volumes.empty_dir]] #1 medium: expected one of "Memory", "HugePages", got "memory" (did you mean "Memory"?)'],
    ['table where a string is expected', '[[runners]]\n[runners.docker]\nimage = { name = "alpine" }\n',
      'config.toml:3: [runners.docker] image: expected a string, got a table'],
    ['quoted key with dots in a table of strings', '[[runners]]\n[runners.docker]\n[runners.docker.sysctls]\n"net.ipv4.ip_forward" = 1\n',
      'config.toml:4: [runners.docker.sysctls] "net.ipv4.ip_forward": expected a string, got 1'],
    ['services_limit below -1', '[[runners]]\n[runners.docker]\nservices_limit = -2\n',
      'config.toml:3: [runners.docker] services_limit: must be -1 (no limit) or a number of services; got -2'],
    ['error inside a multi-line array after multi-line strings', 'a_script = 1\n[[runners]]\n  pre_build_script = """\n[runners.docker]\nprivileged = "no"\n"""\n  [runners.docker]\n    cap_add = ["NET_ADMIN",\n      true]\n',
      'config.toml:1: top level: unknown key "a_script" (remove it or check the spelling)'],
  ];

  it.each(cases)('%s', (_, text, expected) => {
    expect(messages(text)).toContain(expected);
  });

  it('has at least 20 distinct cases', () => {
    expect(new Set(cases.map((c) => c[0])).size).toBeGreaterThanOrEqual(20);
  });

  it('reports every problem at once, sorted by line', () => {
    const text = '[[runners]]\n  exector = "docker"\n  [runners.docker]\n    privileged = "yes"\n    tls_verify = 1\nconcurrent_ = 1\n';
    const lines = parseRunnerConfig(text, 'config.toml').errors.map((e) => e.line);
    expect(lines).toEqual([2, 4, 5, 6]);
  });

  it('finds the line of an error inside a multi-line array after a tricky multi-line string', () => {
    const text = '[[runners]]\n  pre_build_script = """\n[runners.docker]\nprivileged = "no"\n"""\n  [runners.docker]\n    cap_add = ["NET_ADMIN",\n      true]\n';
    expect(messages(text)).toEqual(['config.toml:8: [runners.docker] cap_add[1]: expected a string, got true']);
  });

  it('reports TOML syntax errors with line and column', () => {
    expect(messages('concurrent = 1\n[[runners]]\n  name = "unterminated\n')).toEqual([
      expect.stringMatching(/^config\.toml:3:\d+: TOML syntax error: .*add the closing quote/),
    ]);
    expect(messages('[[runners]]\n  name = "a"\n  name = "b"\n')).toEqual([
      'config.toml:3:3: TOML syntax error: trying to redefine an already defined table or value (a key or table is defined twice; remove or merge the duplicate)',
    ]);
    expect(messages('[session_server]\n[session_server]\n')[0]).toMatch(/^config\.toml:2:\d+: TOML syntax error: .*defined twice/);
  });

  it('with requireCredentials, names each missing url/token/executor at the [[runners]] line', () => {
    const { errors, config } = parseRunnerConfig('concurrent = 1\n\n[[runners]]\n  name = "x"\n', 'config.toml', { requireCredentials: true });
    expect(config).toBeUndefined();
    expect(errors.map(formatConfigError)).toEqual([
      'config.toml:3: [[runners]] #1: missing url (set url = "https://gitlab.example.com/")',
      'config.toml:3: [[runners]] #1: missing token (set token = "glrt-...")',
      'config.toml:3: [[runners]] #1: missing executor (set executor = "docker")',
    ]);
  });

  it('warns about deprecated keys with their replacement', () => {
    const { warnings, config } = parseRunnerConfig('[[runners]]\n  pre_clone_script = "echo hi"\n', 'config.toml');
    expect(config).toBeDefined();
    expect(warnings.map(formatConfigError)).toEqual([
      'config.toml:2: [[runners]] #1 pre_clone_script: deprecated; use pre_get_sources_script',
    ]);
  });
});

describe('loadRunnerConfig', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drydock-runner-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a valid file', async () => {
    const path = join(dir, 'ok.toml');
    await writeFile(path, fillPlaceholders(COMPLETE_EXAMPLES.dindTls));
    const config = await loadRunnerConfig(path);
    expect(config.runners[0]?.docker?.privileged).toBe(true);
  });

  it('says which file is missing and what to do', async () => {
    const path = join(dir, 'nope', 'config.toml');
    const err = await loadRunnerConfig(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunnerConfigError);
    expect((err as RunnerConfigError).message).toBe(
      `${path}: config file not found: ${path} (register a runner first, or pass --config with the right path)`,
    );
  });

  it('says when the path is a directory', async () => {
    const path = join(dir, 'a-dir');
    await mkdir(path);
    await expect(loadRunnerConfig(path)).rejects.toThrow(/is a directory, not a config\.toml file/);
  });

  it('throws every error of an invalid file with the path as given', async () => {
    const path = join(dir, 'bad.toml');
    await writeFile(path, '[[runners]]\n  exector = "docker"\n  limit = "2"\n');
    const err = (await loadRunnerConfig(path).catch((e: unknown) => e)) as RunnerConfigError;
    expect(err.errors.map(formatConfigError)).toEqual([
      `${path}:2: [[runners]] #1: unknown key "exector" (did you mean "executor"?)`,
      `${path}:3: [[runners]] #1 limit: expected an integer, got "2"`,
    ]);
  });

  it('stops when its signal is aborted', async () => {
    const path = join(dir, 'ok2.toml');
    await writeFile(path, 'concurrent = 1\n');
    await expect(loadRunnerConfig(path, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });
});
