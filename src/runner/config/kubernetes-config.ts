// `[runners.kubernetes]`: gitlab-runner's KubernetesConfig (common/config.go). Tables Drydock does not
// interpret in depth (affinity, container_lifecycle, retry_limits, …) are accepted as written.
import { z } from 'zod';
import { ServiceSchema, goDuration, opaqueTable, pullPolicyList, stringList, stringMap, int } from './schema-parts.js';

const mountPropagation = z.enum(['None', 'HostToContainer', 'Bidirectional']).optional();

/** Fields every volume kind has. */
const volumeBase = {
  name: z.string().min(1, { error: 'must name the volume' }),
  mount_path: z.string().min(1, { error: 'must say where to mount the volume, e.g. "/certs/client"' }),
  sub_path: z.string().optional(),
};

export const KubernetesVolumesSchema = z.strictObject({
  host_path: z
    .array(z.strictObject({ ...volumeBase, read_only: z.boolean().default(false), host_path: z.string().optional(), mount_propagation: mountPropagation }))
    .default([]),
  pvc: z
    .array(z.strictObject({ ...volumeBase, read_only: z.boolean().default(false), mount_propagation: mountPropagation }))
    .default([]),
  config_map: z
    .array(z.strictObject({ ...volumeBase, read_only: z.boolean().default(false), items: stringMap() }))
    .default([]),
  secret: z
    .array(z.strictObject({ ...volumeBase, read_only: z.boolean().default(false), items: stringMap() }))
    .default([]),
  empty_dir: z
    .array(
      z.strictObject({
        ...volumeBase,
        /** "Memory" = tmpfs; empty = node storage. */
        medium: z.enum(['', 'Memory', 'HugePages']).optional(),
        size_limit: z.string().optional(),
        mount_propagation: mountPropagation,
      }),
    )
    .default([]),
  csi: z
    .array(
      z.strictObject({
        ...volumeBase,
        driver: z.string().min(1, { error: 'must name the CSI driver' }),
        fs_type: z.string().optional(),
        read_only: z.boolean().default(false),
        volume_attributes: stringMap(),
      }),
    )
    .default([]),
  nfs: z
    .array(z.strictObject({ ...volumeBase, server: z.string(), path: z.string(), read_only: z.boolean().default(false) }))
    .default([]),
});
export type KubernetesVolumes = z.infer<typeof KubernetesVolumesSchema>;

const capabilities = z.strictObject({ add: stringList(), drop: stringList() });

const containerSecurityContext = z
  .strictObject({
    capabilities: capabilities.optional(),
    privileged: z.boolean().optional(),
    run_as_user: int().optional(),
    run_as_group: int().optional(),
    run_as_non_root: z.boolean().optional(),
    read_only_root_filesystem: z.boolean().optional(),
    allow_privilege_escalation: z.boolean().optional(),
    selinux_type: z.string().optional(),
    proc_mount: z.string().optional(),
  })
  .optional();

/** Resource keys repeated for the build container, services (`service_`), the helper (`helper_`). */
function resourceKeys(prefix: '' | 'service_' | 'helper_') {
  const keys: Record<string, z.ZodOptional<z.ZodString>> = {};
  for (const kind of ['cpu', 'memory', 'ephemeral_storage']) {
    for (const bound of ['limit', 'request']) {
      keys[`${prefix}${kind}_${bound}`] = z.string().optional();
      keys[`${prefix}${kind}_${bound}_overwrite_max_allowed`] = z.string().optional();
    }
  }
  return keys;
}

export const KubernetesConfigSchema = z.strictObject({
  // Connection.
  host: z.string().optional(),
  context: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  ca_file: z.string().optional(),
  bearer_token: z.string().optional(),
  bearer_token_overwrite_allowed: z.boolean().default(false),

  // Placement and identity.
  image: z.string().optional(),
  namespace: z.string().optional(),
  namespace_overwrite_allowed: z.string().optional(),
  namespace_per_job: z.boolean().default(false),
  service_account: z.string().optional(),
  service_account_overwrite_allowed: z.string().optional(),
  automount_service_account_token: z.boolean().optional(),
  node_selector: stringMap(),
  node_selector_overwrite_allowed: z.string().optional(),
  node_tolerations: stringMap(),
  node_tolerations_overwrite_allowed: z.string().optional(),
  affinity: opaqueTable().optional(),
  scheduler_name: z.string().optional(),
  priority_class_name: z.string().optional(),
  runtime_class_name: z.string().optional(),
  pod_labels: stringMap(),
  pod_labels_overwrite_allowed: z.string().optional(),
  pod_annotations: stringMap(),
  pod_annotations_overwrite_allowed: z.string().optional(),
  dns_policy: z.enum(['none', 'default', 'cluster-first', 'cluster-first-with-host-net']).optional(),
  dns_config: z
    .strictObject({
      nameservers: stringList(),
      searches: stringList(),
      options: z.array(z.strictObject({ name: z.string(), value: z.string().optional() })).default([]),
    })
    .optional(),
  host_aliases: z.array(z.strictObject({ ip: z.string(), hostnames: stringList() })).default([]),
  pod_spec: z
    .array(
      z.strictObject({
        name: z.string().optional(),
        patch: z.string().optional(),
        patch_path: z.string().optional(),
        patch_type: z.enum(['json', 'merge', 'strategic']).optional(),
      }),
    )
    .default([]),

  // Privilege.
  /** Unset: Kubernetes' default (not privileged). Applies to build, helper and service containers. */
  privileged: z.boolean().optional(),
  allow_privilege_escalation: z.boolean().optional(),
  cap_add: stringList(),
  cap_drop: stringList(),
  pod_security_context: z
    .strictObject({
      fs_group: int().optional(),
      run_as_group: int().optional(),
      run_as_non_root: z.boolean().optional(),
      run_as_user: int().optional(),
      supplemental_groups: z.array(int()).default([]),
      selinux_type: z.string().optional(),
    })
    .optional(),
  build_container_security_context: containerSecurityContext,
  helper_container_security_context: containerSecurityContext,
  service_container_security_context: containerSecurityContext,
  init_permissions_container_security_context: containerSecurityContext,

  // Resources.
  ...resourceKeys(''),
  ...resourceKeys('service_'),
  ...resourceKeys('helper_'),
  pod_cpu_limit: z.string().optional(),
  pod_cpu_request: z.string().optional(),
  pod_memory_limit: z.string().optional(),
  pod_memory_request: z.string().optional(),

  // Images and pulls. Unset pull_policy = the cluster's default.
  pull_policy: pullPolicyList([]),
  allowed_pull_policies: pullPolicyList([]),
  allowed_images: stringList(),
  allowed_services: stringList(),
  allowed_users: stringList(),
  allowed_groups: stringList(),
  image_pull_secrets: stringList(),
  use_service_account_image_pull_secrets: z.boolean().default(false),
  helper_image: z.string().optional(),
  helper_image_flavor: z.string().optional(),
  helper_image_autoset_arch_and_os: z.boolean().default(false),

  // Timing and API retries (KubernetesPollInterval 3 s, KubernetesPollTimeout 180 s).
  poll_interval: int().default(3).transform((v) => (v <= 0 ? 3 : v)),
  poll_timeout: int().default(180).transform((v) => (v <= 0 ? 180 : v)),
  /** Deprecated: use pod_termination_grace_period_seconds and cleanup_grace_period_seconds. */
  terminationGracePeriodSeconds: int().optional(),
  pod_termination_grace_period_seconds: int().min(0).optional(),
  cleanup_grace_period_seconds: int().min(0).optional(),
  cleanup_resources_timeout: goDuration().default('5m'),
  resource_availability_check_max_attempts: int().default(5).transform((v) => (v < 0 ? 5 : v)),
  retry_limit: int().min(0).default(5),
  retry_backoff_max: int().min(0).default(2000),
  retry_limits: z.record(z.string(), int()).default({}),

  // Other.
  logs_base_dir: z.string().optional(),
  scripts_base_dir: z.string().optional(),
  print_pod_warning_events: z.boolean().optional(),
  pod_disruption_budget: opaqueTable().optional(),
  container_lifecycle: opaqueTable().optional(),
  volumes: KubernetesVolumesSchema.optional(),
  services: z.array(ServiceSchema).default([]),
});

export type KubernetesConfig = z.infer<typeof KubernetesConfigSchema>;
export type KubernetesConfigInput = z.input<typeof KubernetesConfigSchema>;
