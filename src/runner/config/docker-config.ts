// `[runners.docker]`: key names, types and defaults of gitlab-runner's DockerConfig (common/config.go,
// helpers/docker/credentials.go). Defaults are the values gitlab-runner uses when a key is absent.
import { z } from 'zod';
import {
  ServiceSchema,
  pullPolicyList,
  stringList,
  stringMap,
  int,
  type PullPolicy,
} from './schema-parts.js';

/** DefaultWaitForServicesTimeout: `0` means 30 s; `-1` turns the service health check off. */
export const DEFAULT_WAIT_FOR_SERVICES_TIMEOUT = 30;

export const DockerConfigSchema = z.strictObject({
  // Connection (docker.Credentials). `host` unset means DOCKER_HOST or unix:///var/run/docker.sock.
  host: z.string().optional(),
  tls_cert_path: z.string().optional(),
  tls_verify: z.boolean().default(false),

  // Images and pulls.
  image: z.string().optional(),
  pull_policy: pullPolicyList(['always']),
  /** Empty means "the pull_policy list" (GetAllowedPullPolicies); see allowedPullPolicies(). */
  allowed_pull_policies: pullPolicyList([]),
  allowed_images: stringList(),
  allowed_services: stringList(),
  allowed_privileged_images: stringList(),
  allowed_privileged_services: stringList(),
  allowed_users: stringList(),
  helper_image: z.string().optional(),
  helper_image_flavor: z.string().optional(),
  helper_image_autoset_arch_and_os: z.boolean().default(false),
  disable_entrypoint_overwrite: z.boolean().default(false),

  // Privileges and identity.
  privileged: z.boolean().default(false),
  /** Unset: services follow `privileged`. */
  services_privileged: z.boolean().optional(),
  user: z.string().optional(),
  group_add: stringList(),
  userns_mode: z.string().optional(),
  cap_add: stringList(),
  cap_drop: stringList(),
  security_opt: stringList(),
  services_security_opt: stringList(),
  devices: stringList(),
  device_cgroup_rules: stringList(),
  services_devices: z.record(z.string(), z.array(z.string())).default({}),
  gpus: z.string().optional(),
  service_gpus: z.string().optional(),
  runtime: z.string().optional(),
  isolation: z.string().optional(),
  pid_mode: z.string().optional(),
  ipcmode: z.string().optional(),
  oom_kill_disable: z.boolean().default(false),
  oom_score_adjust: int().default(0),
  sysctls: stringMap(),
  ulimit: stringMap(),

  // Resources (strings like "512m" as Docker parses them).
  memory: z.string().optional(),
  memory_swap: z.string().optional(),
  memory_reservation: z.string().optional(),
  cpus: z.string().optional(),
  cpuset_cpus: z.string().optional(),
  cpuset_mems: z.string().optional(),
  cpu_shares: int().min(0).default(0),
  cgroup_parent: z.string().optional(),
  service_memory: z.string().optional(),
  service_memory_swap: z.string().optional(),
  service_memory_reservation: z.string().optional(),
  service_cpus: z.string().optional(),
  service_cpuset_cpus: z.string().optional(),
  service_cpu_shares: int().min(0).default(0),
  service_cgroup_parent: z.string().optional(),
  /** Bytes; applies to services too. 0 = Docker's default. */
  shm_size: int().min(0, { error: 'must be 0 (Docker default) or a size in bytes' }).default(0),

  // Volumes and caching.
  volumes: stringList(),
  disable_cache: z.boolean().default(false),
  cache_dir: z.string().optional(),
  volume_keep: z.boolean().default(false),
  volume_driver: z.string().optional(),
  volume_driver_ops: stringMap(),
  volumes_from: stringList(),
  tmpfs: stringMap(),
  services_tmpfs: stringMap(),

  // Networking.
  hostname: z.string().optional(),
  network_mode: z.string().optional(),
  network_mtu: int().min(0).default(0),
  enable_ipv6: z.boolean().default(false),
  mac_address: z.string().optional(),
  extra_hosts: stringList(),
  dns: stringList(),
  dns_search: stringList(),
  links: stringList(),

  // Services.
  services: z.array(ServiceSchema).default([]),
  /** -1 = no limit. */
  services_limit: int().min(-1, { error: 'must be -1 (no limit) or a number of services' }).default(-1),
  wait_for_services_timeout: int()
    .min(-1, { error: 'must be -1 (no health check), 0 (default 30 s) or a number of seconds' })
    .default(DEFAULT_WAIT_FOR_SERVICES_TIMEOUT)
    .transform((v) => (v === 0 ? DEFAULT_WAIT_FOR_SERVICES_TIMEOUT : v)),

  // Drydock: registry flags for dind services (--registry-mirror; --insecure-registry for an HTTP CI_REGISTRY, on unless false).
  registry_mirror: z.string().url({ error: 'must be a URL such as http://10.0.0.5:5001' }).optional(),
  dind_insecure_registry: z.boolean().optional(),

  // Labels and logging.
  container_labels: stringMap(),
  log_options: z.strictObject({ env: z.string().optional(), labels: z.string().optional() }).optional(),
});

export type DockerConfig = z.infer<typeof DockerConfigSchema>;
export type DockerConfigInput = z.input<typeof DockerConfigSchema>;

/** The pull policies a job may ask for: `allowed_pull_policies`, or `pull_policy` when that is empty. */
export function allowedPullPolicies(docker: Pick<DockerConfig, 'pull_policy' | 'allowed_pull_policies'>): PullPolicy[] {
  return docker.allowed_pull_policies.length > 0 ? docker.allowed_pull_policies : docker.pull_policy;
}
