// Every flag `drydock runner register` takes, with gitlab-runner's names and environment variables
// (commands/register.go, common/config.go struct tags). One table drives the CLI options, the
// environment fallback and where each value lands in the [[runners]] entry.

export type FlagKind = 'string' | 'bool' | 'int' | 'list';

/** Settings that steer registration itself and are not written to config.toml. */
export type RegisterSettingKey =
  | 'config' | 'nonInteractive' | 'leaveRunner' | 'registrationToken' | 'tagList' | 'runUntagged' | 'locked'
  | 'accessLevel' | 'maximumTimeout' | 'paused' | 'maintenanceNote' | 'templateConfig';

export interface RegisterFlag {
  /** Long flag name without the dashes. */
  long: string;
  short?: string;
  env?: string;
  kind: FlagKind;
  description: string;
  /** Allowed values (string and list flags). */
  choices?: readonly string[];
  /** Where the value goes: a register setting, or a path in the [[runners]] entry. */
  to: { setting: RegisterSettingKey } | { entry: readonly string[] };
  /** Other long names for the same flag (`--description` for `--name`). */
  aliases?: readonly string[];
}

export const SUPPORTED_EXECUTORS = ['shell', 'docker', 'kubernetes'] as const;
export const ACCESS_LEVELS = ['not_protected', 'ref_protected'] as const;
const PULL_POLICIES = ['always', 'if-not-present', 'never'] as const;

/** The legacy, server-side settings that a runner authentication token (glrt-) must not come with. */
export const LEGACY_SERVER_FLAGS = ['locked', 'access-level', 'run-untagged', 'maximum-timeout', 'paused', 'tag-list', 'maintenance-note'] as const;

const setting = (key: RegisterSettingKey) => ({ setting: key });
const entry = (...path: string[]) => ({ entry: path });

const registerOnly: RegisterFlag[] = [
  { long: 'config', short: 'c', env: 'CONFIG_FILE', kind: 'string', description: 'config file', to: setting('config') },
  { long: 'non-interactive', short: 'n', env: 'REGISTER_NON_INTERACTIVE', kind: 'bool', description: 'run registration unattended (no prompts)', to: setting('nonInteractive') },
  { long: 'leave-runner', env: 'REGISTER_LEAVE_RUNNER', kind: 'bool', description: "don't remove the runner from the server if registration fails", to: setting('leaveRunner') },
  { long: 'registration-token', short: 'r', env: 'REGISTRATION_TOKEN', kind: 'string', description: "runner's registration token (legacy)", to: setting('registrationToken') },
  { long: 'tag-list', env: 'RUNNER_TAG_LIST', kind: 'string', description: 'comma-separated tags (legacy registration only)', to: setting('tagList') },
  { long: 'run-untagged', env: 'REGISTER_RUN_UNTAGGED', kind: 'bool', description: "run untagged jobs; default true when --tag-list is empty", to: setting('runUntagged') },
  { long: 'locked', env: 'REGISTER_LOCKED', kind: 'bool', description: 'lock the runner to the current project (default true)', to: setting('locked') },
  { long: 'access-level', env: 'REGISTER_ACCESS_LEVEL', kind: 'string', choices: ACCESS_LEVELS, description: 'not_protected or ref_protected', to: setting('accessLevel') },
  { long: 'maximum-timeout', env: 'REGISTER_MAXIMUM_TIMEOUT', kind: 'int', description: 'maximum job timeout in seconds', to: setting('maximumTimeout') },
  { long: 'paused', env: 'REGISTER_PAUSED', kind: 'bool', description: 'register the runner paused', to: setting('paused') },
  { long: 'maintenance-note', env: 'REGISTER_MAINTENANCE_NOTE', kind: 'string', description: "runner's maintenance note", to: setting('maintenanceNote') },
  { long: 'template-config', env: 'TEMPLATE_CONFIG_FILE', kind: 'string', description: 'TOML file with one [[runners]] entry merged into the new one (flags win)', to: setting('templateConfig') },
];

const runnerFlags: RegisterFlag[] = [
  { long: 'url', short: 'u', env: 'CI_SERVER_URL', kind: 'string', description: 'GitLab (or drydock server) instance URL', to: entry('url') },
  { long: 'token', short: 't', env: 'CI_SERVER_TOKEN', kind: 'string', description: 'runner authentication token (glrt-...): verified, not registered', to: entry('token') },
  { long: 'name', aliases: ['description'], env: 'RUNNER_NAME', kind: 'string', description: 'runner name (default: host name)', to: entry('name') },
  { long: 'executor', env: 'RUNNER_EXECUTOR', kind: 'string', choices: SUPPORTED_EXECUTORS, description: 'shell, docker or kubernetes', to: entry('executor') },
  { long: 'limit', env: 'RUNNER_LIMIT', kind: 'int', description: 'maximum concurrent jobs of this runner (0 = no limit)', to: entry('limit') },
  { long: 'output-limit', env: 'RUNNER_OUTPUT_LIMIT', kind: 'int', description: 'job log size limit in KiB', to: entry('output_limit') },
  { long: 'request-concurrency', env: 'RUNNER_REQUEST_CONCURRENCY', kind: 'int', description: 'parallel job requests', to: entry('request_concurrency') },
  { long: 'builds-dir', env: 'RUNNER_BUILDS_DIR', kind: 'string', description: 'directory where builds are stored', to: entry('builds_dir') },
  { long: 'cache-dir', env: 'RUNNER_CACHE_DIR', kind: 'string', description: 'directory where build cache is stored', to: entry('cache_dir') },
  { long: 'clone-url', env: 'CLONE_URL', kind: 'string', description: 'URL used for git clone instead of the instance URL', to: entry('clone_url') },
  { long: 'env', env: 'RUNNER_ENV', kind: 'list', description: 'KEY=value added to every job (repeatable)', to: entry('environment') },
  { long: 'shell', env: 'RUNNER_SHELL', kind: 'string', choices: ['bash', 'sh', 'pwsh', 'powershell'], description: 'shell to generate the script for', to: entry('shell') },
  { long: 'pre-get-sources-script', env: 'RUNNER_PRE_GET_SOURCES_SCRIPT', kind: 'string', description: 'script run before fetching sources', to: entry('pre_get_sources_script') },
  { long: 'post-get-sources-script', env: 'RUNNER_POST_GET_SOURCES_SCRIPT', kind: 'string', description: 'script run after fetching sources', to: entry('post_get_sources_script') },
  { long: 'pre-build-script', env: 'RUNNER_PRE_BUILD_SCRIPT', kind: 'string', description: 'script run before the build', to: entry('pre_build_script') },
  { long: 'post-build-script', env: 'RUNNER_POST_BUILD_SCRIPT', kind: 'string', description: 'script run after the build', to: entry('post_build_script') },
  { long: 'tls-ca-file', env: 'CI_SERVER_TLS_CA_FILE', kind: 'string', description: 'CA certificates of the server', to: entry('tls-ca-file') },
  { long: 'tls-cert-file', env: 'CI_SERVER_TLS_CERT_FILE', kind: 'string', description: 'client certificate for the server', to: entry('tls-cert-file') },
  { long: 'tls-key-file', env: 'CI_SERVER_TLS_KEY_FILE', kind: 'string', description: 'client key for the server', to: entry('tls-key-file') },
];

// [runners.docker]: flag --docker-<long>, env DOCKER_<KEY>, unless the key says otherwise.
const docker = (key: string, kind: FlagKind, description: string, extra: Partial<RegisterFlag> = {}): RegisterFlag => ({
  long: `docker-${key.replace(/_/g, '-')}`,
  env: `DOCKER_${key.toUpperCase()}`,
  kind,
  description,
  to: entry('docker', key),
  ...extra,
});

const dockerFlags: RegisterFlag[] = [
  docker('host', 'string', 'Docker daemon address'),
  docker('tls_cert_path', 'string', 'directory with ca.pem, cert.pem and key.pem', { long: 'docker-cert-path', env: 'DOCKER_CERT_PATH' }),
  docker('tls_verify', 'bool', 'use TLS and verify the daemon', { long: 'docker-tlsverify', env: 'DOCKER_TLS_VERIFY' }),
  docker('image', 'string', 'default image for jobs without image:'),
  docker('privileged', 'bool', 'run containers in privileged mode (needed for docker:dind)'),
  docker('services_privileged', 'bool', 'privileged mode for services only'),
  docker('volumes', 'list', 'bind mount or volume, docker -v syntax (repeatable)'),
  docker('disable_cache', 'bool', 'no /cache volume'),
  docker('cache_dir', 'string', 'host directory for single-path volumes'),
  docker('pull_policy', 'list', 'always, if-not-present or never (repeatable: tried in order)', { choices: PULL_POLICIES }),
  docker('allowed_pull_policies', 'list', 'pull policies a job may ask for (repeatable)', { choices: PULL_POLICIES }),
  docker('allowed_images', 'list', 'image globs jobs may use (repeatable)'),
  docker('allowed_services', 'list', 'service globs jobs may use (repeatable)'),
  docker('allowed_privileged_images', 'list', 'images allowed to run privileged (repeatable)'),
  docker('allowed_privileged_services', 'list', 'services allowed to run privileged (repeatable)'),
  // Go's old []string services flag: each value becomes a [[runners.docker.services]] entry.
  docker('services', 'list', 'service image started with every job (repeatable)'),
  docker('services_limit', 'int', 'maximum services per job (-1 = no limit)'),
  docker('network_mode', 'string', 'bridge, host, none or a network name'),
  docker('hostname', 'string', 'build container host name'),
  docker('user', 'string', 'user in the build container'),
  docker('memory', 'string', 'memory limit, e.g. 512m'),
  docker('memory_swap', 'string', 'memory + swap limit'),
  docker('memory_reservation', 'string', 'memory soft limit'),
  docker('cpus', 'string', 'number of CPUs, e.g. 1.5'),
  docker('cpuset_cpus', 'string', 'CPUs to use, e.g. 0-1'),
  docker('cpu_shares', 'int', 'relative CPU weight'),
  docker('shm_size', 'int', '/dev/shm size in bytes'),
  docker('dns', 'list', 'DNS server IP (repeatable)'),
  docker('dns_search', 'list', 'DNS search domain (repeatable)'),
  docker('extra_hosts', 'list', 'host:ip entry (repeatable)'),
  docker('cap_add', 'list', 'capability to add (repeatable)'),
  docker('cap_drop', 'list', 'capability to drop (repeatable)'),
  docker('security_opt', 'list', 'security option (repeatable)'),
  docker('devices', 'list', 'host device (repeatable)'),
  docker('links', 'list', 'container link (repeatable)'),
  docker('volumes_from', 'list', 'container to take volumes from (repeatable)'),
  docker('volume_driver', 'string', 'volume driver'),
  docker('helper_image', 'string', 'helper image override'),
  docker('wait_for_services_timeout', 'int', 'seconds to wait for services (-1 = no health check)'),
  docker('runtime', 'string', 'container runtime'),
  docker('disable_entrypoint_overwrite', 'bool', "ignore image:entrypoint from .gitlab-ci.yml"),
];

const kubernetes = (key: string, kind: FlagKind, description: string, extra: Partial<RegisterFlag> = {}): RegisterFlag => ({
  long: `kubernetes-${key.replace(/_/g, '-')}`,
  env: `KUBERNETES_${key.toUpperCase()}`,
  kind,
  description,
  to: entry('kubernetes', key),
  ...extra,
});

const kubernetesFlags: RegisterFlag[] = [
  kubernetes('host', 'string', 'Kubernetes API URL (empty = in-cluster)'),
  kubernetes('context', 'string', 'kubeconfig context'),
  kubernetes('cert_file', 'string', 'client certificate'),
  kubernetes('key_file', 'string', 'client key'),
  kubernetes('ca_file', 'string', 'CA certificate'),
  kubernetes('bearer_token', 'string', 'bearer token'),
  kubernetes('image', 'string', 'default image for jobs without image:'),
  kubernetes('namespace', 'string', 'namespace to run jobs in'),
  kubernetes('privileged', 'bool', 'run containers privileged'),
  kubernetes('service_account', 'string', 'service account of job pods'),
  kubernetes('cpu_limit', 'string', 'build container CPU limit'),
  kubernetes('cpu_request', 'string', 'build container CPU request'),
  kubernetes('memory_limit', 'string', 'build container memory limit'),
  kubernetes('memory_request', 'string', 'build container memory request'),
  kubernetes('service_cpu_limit', 'string', 'service container CPU limit'),
  kubernetes('service_memory_limit', 'string', 'service container memory limit'),
  kubernetes('helper_cpu_limit', 'string', 'helper container CPU limit'),
  kubernetes('helper_memory_limit', 'string', 'helper container memory limit'),
  kubernetes('pull_policy', 'list', 'always, if-not-present or never (repeatable)', { choices: PULL_POLICIES }),
  kubernetes('poll_timeout', 'int', 'seconds to wait for the pod to start'),
  kubernetes('helper_image', 'string', 'helper image override'),
];

const cacheFlags: RegisterFlag[] = [
  { long: 'cache-type', env: 'CACHE_TYPE', kind: 'string', choices: ['s3', 'gcs', 'azure'], description: 'distributed cache: s3, gcs or azure', to: entry('cache', 'Type') },
  { long: 'cache-path', env: 'CACHE_PATH', kind: 'string', description: 'prefix of cache objects', to: entry('cache', 'Path') },
  { long: 'cache-shared', env: 'CACHE_SHARED', kind: 'bool', description: 'share the cache between runners', to: entry('cache', 'Shared') },
  { long: 'cache-max-uploaded-archive-size', env: 'CACHE_MAXIMUM_UPLOADED_ARCHIVE_SIZE', kind: 'int', description: 'largest archive uploaded, bytes (0 = no limit)', to: entry('cache', 'MaxUploadedArchiveSize') },
  ...([
    ['server-address', 'ServerAddress', 'string', 'S3 server host[:port]'],
    ['access-key', 'AccessKey', 'string', 'S3 access key'],
    ['secret-key', 'SecretKey', 'string', 'S3 secret key'],
    ['session-token', 'SessionToken', 'string', 'S3 session token'],
    ['bucket-name', 'BucketName', 'string', 'S3 bucket'],
    ['bucket-location', 'BucketLocation', 'string', 'S3 region'],
    ['insecure', 'Insecure', 'bool', 'use plain HTTP'],
    ['authentication-type', 'AuthenticationType', 'string', 'access-key or iam'],
    ['path-style', 'PathStyle', 'bool', 'path-style bucket URLs'],
    ['server-side-encryption', 'ServerSideEncryption', 'string', 'S3, KMS or DSSE-KMS'],
    ['server-side-encryption-key-id', 'ServerSideEncryptionKeyID', 'string', 'KMS key id'],
  ] as const).map(([long, key, kind, description]): RegisterFlag => ({
    long: `cache-s3-${long}`,
    env: `CACHE_S3_${long.toUpperCase().replace(/-/g, '_')}`,
    kind,
    description,
    to: entry('cache', 's3', key),
    ...(long === 'authentication-type' ? { choices: ['access-key', 'iam'] } : {}),
    ...(long === 'server-side-encryption' ? { choices: ['S3', 'KMS', 'DSSE-KMS'] } : {}),
  })),
  ...([
    ['access-id', 'AccessID', 'GCS access id'],
    ['private-key', 'PrivateKey', 'GCS private key'],
    ['credentials-file', 'CredentialsFile', 'GCS credentials file'],
    ['bucket-name', 'BucketName', 'GCS bucket'],
  ] as const).map(([long, key, description]): RegisterFlag => ({
    long: `cache-gcs-${long}`,
    env: long === 'credentials-file' ? 'GOOGLE_APPLICATION_CREDENTIALS' : `CACHE_GCS_${long.toUpperCase().replace(/-/g, '_')}`,
    kind: 'string',
    description,
    to: entry('cache', 'gcs', key),
  })),
  ...([
    ['account-name', 'AccountName', 'Azure storage account'],
    ['account-key', 'AccountKey', 'Azure storage key'],
    ['container-name', 'ContainerName', 'Azure blob container'],
    ['storage-domain', 'StorageDomain', 'Azure storage domain'],
  ] as const).map(([long, key, description]): RegisterFlag => ({
    long: `cache-azure-${long}`,
    env: `CACHE_AZURE_${long.toUpperCase().replace(/-/g, '_')}`,
    kind: 'string',
    description,
    to: entry('cache', 'azure', key),
  })),
];

export const REGISTER_FLAGS: readonly RegisterFlag[] = [...registerOnly, ...runnerFlags, ...dockerFlags, ...kubernetesFlags, ...cacheFlags];
