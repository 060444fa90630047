// What the Docker executor can be told: gitlab-runner's [runners.docker] settings that matter for
// jobs, in executor vocabulary (the CLI maps config.toml and flags onto this).
import type { PullPolicy } from '../../pipeline/spec/job-spec.js';
import type { DockerConnection } from './docker-connection.js';
import type { DindRegistryOptions } from './dind-registry-flags.js';

/** A `[[runners.docker.services]]` entry: started before the job's own services. */
export interface RunnerServiceOption {
  name: string;
  aliases: string[];
  command?: string[];
  entrypoint?: string[];
  variables: Array<{ key: string; value: string }>;
}

export interface DockerExecutorOptions extends DindRegistryOptions {
  connection?: DockerConnection;
  /** `[runners.docker] image`: used when the job has no image. */
  defaultImage?: string;
  privileged?: boolean;
  /** Overrides `privileged` for services. */
  servicesPrivileged?: boolean;
  /** Docker `-v` entries; single paths become per-job volumes shared with every service. */
  volumes?: string[];
  /** `[runners.docker] pull_policy`. */
  pullPolicy?: PullPolicy[];
  allowedPullPolicies?: PullPolicy[];
  /** When neither job nor runner names a policy. GitLab: always; `drydock run`: if-not-present. */
  defaultPullPolicy?: PullPolicy[];
  services?: RunnerServiceOption[];
  /** Seconds; 0 → 30, -1 → no health check. */
  waitForServicesTimeout?: number;
  disableEntrypointOverwrite?: boolean;
  /** `[runners.docker] user`: wins over the job's image:docker:user. */
  user?: string;
  /** B1: keep dind services' /var/lib/docker in a volume per project and slot. */
  layerCache?: { slots: number };
  /** Short runner token for names (`local` for drydock run). */
  runnerShort?: string;
  /** Docker config file for registry credentials (default $DOCKER_CONFIG/config.json or ~/.docker/config.json). */
  dockerConfigPath?: string;
  /**
   * `[[runners]] environment` (e.g. DOCKER_DRIVER=overlay2, DOCKER_AUTH_CONFIG): put into the job and
   * service containers' environment and used for registry credentials. Job variables win.
   */
  environment?: Array<{ key: string; value: string }>;
  /** Remove objects of dead drydock processes before the first job (default true). */
  removeOrphansAtStart?: boolean;
}
