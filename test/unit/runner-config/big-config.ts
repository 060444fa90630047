// A realistic config.toml touching every table Drydock reads (and a few it only keeps).

export const BIG_CONFIG = `# Managed by hand; comments must survive addRunner/removeRunner.
concurrent = 8
check_interval = 5
log_level = "warning"
log_format = "json"
listen_address = "127.0.0.1:9252"
shutdown_timeout = 60
connection_max_age = "10m"

[session_server]
  listen_address = "[::]:8093"
  advertise_address = "runner.example.com:8093"
  session_timeout = 900

[[runners]]
  name = "docker-builder"
  url = "https://gitlab.example.com/"
  id = 42
  token = "glrt-abcdef123456"
  token_obtained_at = 2024-05-01T10:00:00Z
  token_expires_at = 0001-01-01T00:00:00Z
  tls-ca-file = "/etc/drydock/certs/ca.crt"
  executor = "docker"
  limit = 4
  request_concurrency = 2
  output_limit = 16384
  environment = ["DOCKER_DRIVER=overlay2", "DOCKER_TLS_CERTDIR=/certs", "EMPTY="]
  pre_get_sources_script = "echo 'before clone'"
  pre_build_script = """
set -e
echo "multi-line [not.a.table]"
"""
  post_build_script = 'echo done'
  builds_dir = "/builds"
  cache_dir = "/cache"
  shell = "bash"
  strict_check_interval = true
  prepare_timeout = "10m"
  unhealthy_interval = "1h30m"
  [runners.custom_build_dir]
    enabled = true
  [runners.feature_flags]
    FF_NETWORK_PER_BUILD = true
    FF_USE_FASTZIP = false
  [runners.docker]
    host = "unix:///var/run/docker.sock"
    tls_verify = false
    image = "docker:20.10.16"
    privileged = true
    services_privileged = true
    allowed_privileged_services = ["docker:*-dind"]
    disable_entrypoint_overwrite = false
    oom_kill_disable = false
    disable_cache = false
    volumes = [
      "/certs/client",   # shared with the dind service
      "/cache",
      "/var/lib/drydock/ca.crt:/etc/ssl/certs/ca.crt:ro",
    ]
    shm_size = 268435456
    pull_policy = ["if-not-present", "always"]
    allowed_pull_policies = ["if-not-present", "always", "never"]
    allowed_images = ["docker:*", "alpine:*", "registry.example.com/**"]
    allowed_services = ["docker:*-dind", "postgres:*"]
    wait_for_services_timeout = 60
    services_limit = 3
    network_mode = "drydock-net"
    network_mtu = 1400
    extra_hosts = ["registry.local:10.0.0.5"]
    dns = ["10.0.0.2"]
    dns_search = ["example.com"]
    cap_add = ["NET_ADMIN"]
    cap_drop = ["NET_RAW"]
    security_opt = ["seccomp=unconfined"]
    memory = "4g"
    cpus = "2.5"
    helper_image = "registry.example.com/drydock/helper:latest"
    helper_image_flavor = "alpine"
    volume_driver_ops = { size = "50G" }
    log_options = { env = "CI_JOB_ID" }
    [runners.docker.sysctls]
      "net.ipv4.ip_forward" = "1"
    [runners.docker.tmpfs]
      "/var/lib/mysql" = "rw,noexec"
    [runners.docker.container_labels]
      "com.example.team" = "platform"
    [[runners.docker.services]]
      name = "docker:20.10.16-dind"
      alias = "docker"
      command = ["--mtu=1400", "--registry-mirror", "https://mirror.example.com"]
      environment = ["DOCKER_TLS_CERTDIR=/certs"]
    [[runners.docker.services]]
      name = "registry:2"
      entrypoint = ["/entrypoint.sh"]
  [runners.cache]
    Type = "s3"
    Path = "drydock"
    Shared = true
    MaxUploadedArchiveSize = 1073741824
    [runners.cache.s3]
      ServerAddress = "minio.example.com:9000"
      AccessKey = "AKIA"
      SecretKey = "secret"
      BucketName = "runner-cache"
      BucketLocation = "us-east-1"
      Insecure = true
      AuthenticationType = "access-key"
    [runners.cache.gcs]
    [runners.cache.azure]

[[runners]]
  name = "k8s"
  url = "https://gitlab.example.com/"
  token = "glrt-k8s"
  executor = "kubernetes"
  [runners.kubernetes]
    host = "https://kubernetes.default.svc"
    namespace = "ci"
    image = "ubuntu:20.04"
    privileged = true
    cpu_limit = "2"
    memory_request = "1Gi"
    service_cpu_limit = "1"
    helper_memory_limit = "256Mi"
    pull_policy = "if-not-present"
    poll_timeout = 600
    cleanup_resources_timeout = "10m"
    image_pull_secrets = ["regcred"]
    dns_policy = "cluster-first"
    cap_add = ["SYS_ADMIN"]
    [runners.kubernetes.node_selector]
      "kubernetes.io/arch" = "amd64"
    [runners.kubernetes.pod_labels]
      team = "platform"
    [runners.kubernetes.pod_security_context]
      run_as_non_root = false
      fs_group = 1000
    [runners.kubernetes.build_container_security_context]
      privileged = true
      [runners.kubernetes.build_container_security_context.capabilities]
        add = ["NET_ADMIN"]
    [runners.kubernetes.dns_config]
      nameservers = ["1.1.1.1"]
      [[runners.kubernetes.dns_config.options]]
        name = "ndots"
        value = "2"
    [runners.kubernetes.affinity]
      [runners.kubernetes.affinity.node_affinity]
        [runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution]
          [[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms]]
            [[runners.kubernetes.affinity.node_affinity.required_during_scheduling_ignored_during_execution.node_selector_terms.match_expressions]]
              key = "pool"
              operator = "In"
              values = ["ci"]
    [[runners.kubernetes.host_aliases]]
      ip = "10.0.0.5"
      hostnames = ["registry.local"]
    [[runners.kubernetes.pod_spec]]
      name = "hostname"
      patch = '''
        hostname: "custom-pod-hostname"
      '''
      patch_type = "merge"
    [[runners.kubernetes.services]]
      name = "docker:20.10.16-dind"
      alias = "docker"
      command = ["--tls=false"]
    [runners.kubernetes.volumes]
      [[runners.kubernetes.volumes.host_path]]
        name = "docker-sock"
        mount_path = "/var/run/docker.sock"
        host_path = "/var/run/docker.sock"
        read_only = true
      [[runners.kubernetes.volumes.pvc]]
        name = "cache-pvc"
        mount_path = "/cache"
      [[runners.kubernetes.volumes.config_map]]
        name = "docker-daemon"
        mount_path = "/etc/docker/daemon.json"
        sub_path = "daemon.json"
      [[runners.kubernetes.volumes.secret]]
        name = "ca"
        mount_path = "/certs"
        read_only = true
        [runners.kubernetes.volumes.secret.items]
          "ca.crt" = "certs/ca.crt"
      [[runners.kubernetes.volumes.empty_dir]]
        name = "docker-certs"
        mount_path = "/certs/client"
        medium = "Memory"
        size_limit = "100Mi"
      [[runners.kubernetes.volumes.csi]]
        name = "secrets-store"
        mount_path = "/secrets"
        driver = "secrets-store.csi.k8s.io"
        read_only = true
        [runners.kubernetes.volumes.csi.volume_attributes]
          secretProviderClass = "vault"
  [runners.cache]
    Type = "gcs"
    [runners.cache.gcs]
      CredentialsFile = "/etc/gcs.json"
      BucketName = "gcs-cache"

[[runners]]
  name = "shell"
  url = "https://gitlab.example.com/"
  token = "glrt-shell"
  executor = "shell"
  [runners.ssh]
    host = "build.example.com"
    user = "ci"
`;
