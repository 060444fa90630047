// The config.toml snippets of GitLab's "Use Docker to build Docker images" guide
// (shared/reference/000_2d104c50aee50c90.txt), verbatim, placeholders included. Tests use them to check
// that what admins copy from the guide loads, and that the placeholders get a useful syntax error.

/** Complete examples (the guide's four whole config.toml entries). */
export const COMPLETE_EXAMPLES = {
  /** "Docker-in-Docker with TLS enabled in the Docker executor": what `register` writes. */
  dindTls: `[[runners]]
  url = "https://gitlab.com/"
  token = TOKEN
  executor = "docker"
  [runners.docker]
    tls_verify = false
    image = "docker:20.10.16"
    privileged = true
    disable_cache = false
    volumes = ["/certs/client", "/cache"]
  [runners.cache]
    [runners.cache.s3]
    [runners.cache.gcs]
`,
  /** "Docker-in-Docker with TLS disabled in the Docker executor". */
  dindNoTls: `[[runners]]
  url = "https://gitlab.com/"
  token = TOKEN
  executor = "docker"
  [runners.docker]
    tls_verify = false
    image = "docker:20.10.16"
    privileged = true
    disable_cache = false
    volumes = ["/cache"]
  [runners.cache]
    [runners.cache.s3]
    [runners.cache.gcs]
`,
  /** "Docker-in-Docker with TLS enabled in Kubernetes" (the Helm chart's runners.config). */
  kubernetesTls: `[[runners]]
  [runners.kubernetes]
    image = "ubuntu:20.04"
    privileged = true
  [[runners.kubernetes.volumes.empty_dir]]
    name = "docker-certs"
    mount_path = "/certs/client"
    medium = "Memory"
`,
  /** "Use Docker socket binding". Note the legacy `Insecure` directly under [runners.cache]. */
  socketBinding: `[[runners]]
  url = "https://gitlab.com/"
  token = RUNNER_TOKEN
  executor = "docker"
  [runners.docker]
    tls_verify = false
    image = "docker:20.10.16"
    privileged = false
    disable_cache = false
    volumes = ["/var/run/docker.sock:/var/run/docker.sock", "/cache"]
  [runners.cache]
    Insecure = false
`,
};

/** Fragments with `...` standing for the rest of the entry. */
export const FRAGMENTS = {
  dockerServiceMirror: `[[runners]]
  ...
  executor = "docker"
  [runners.docker]
    ...
    privileged = true
    [[runners.docker.services]]
      name = "docker:19.03.13-dind"
      command = ["--registry-mirror", "https://registry-mirror.example.com"]
`,
  kubernetesServiceMirror: `[[runners]]
  ...
  name = "kubernetes"
  [runners.kubernetes]
    ...
    privileged = true
    [[runners.kubernetes.services]]
      name = "docker:19.03.13-dind"
      command = ["--registry-mirror", "https://registry-mirror.example.com"]
`,
  dockerDaemonJson: `[[runners]]
  ...
  executor = "docker"
  [runners.docker]
    image = "alpine:3.12"
    privileged = true
    volumes = ["/opt/docker/daemon.json:/etc/docker/daemon.json:ro"]
`,
  kubernetesDaemonJson: `[[runners]]
  ...
  executor = "kubernetes"
  [runners.kubernetes]
    image = "alpine:3.12"
    privileged = true
    [[runners.kubernetes.volumes.config_map]]
      name = "docker-daemon"
      mount_path = "/etc/docker/daemon.json"
      sub_path = "daemon.json"
`,
  dockerClientConfig: `[[runners]]
  ...
  executor = "docker"
  [runners.docker]
    ...
    privileged = true
    volumes = ["/opt/.docker/config.json:/root/.docker/config.json:ro"]
`,
  kubernetesClientConfig: `[[runners]]
  ...
  executor = "kubernetes"
  [runners.kubernetes]
    image = "alpine:3.12"
    privileged = true
    [[runners.kubernetes.volumes.config_map]]
      name = "docker-client-config"
      mount_path = "/root/.docker/config.json"
      # If you are running GitLab Runner 13.5
      # or lower you can remove this
      sub_path = "config.json"
`,
  overlayDriver: `[[runners]]
environment = ["DOCKER_DRIVER=overlay2"]
`,
};

/** What an admin does with the guide's placeholders: quote the token, drop the `...` lines. */
export function fillPlaceholders(text: string): string {
  return text
    .replace(/^(\s*token = )([A-Z_]+)$/m, '$1"$2"')
    .split('\n')
    .filter((l) => l.trim() !== '...')
    .join('\n');
}
