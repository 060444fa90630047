// One mapping from a config.toml [[runners]] entry's docker settings to DockerExecutor options, used
// by `drydock runner run` as it is and by `drydock run --executor docker` under its flags.
import type { DockerExecutorOptions } from '../executor/docker/docker-executor.js';
import { normalizeDockerServices } from '../runner/config/docker-services.js';
import type { RunnerEntry } from '../runner/config/schema.js';

export class DockerSettingsError extends Error {
  override readonly name = 'DockerSettingsError';
}

type ConfigDerived = Omit<DockerExecutorOptions, 'runnerShort' | 'defaultPullPolicy' | 'environment' | 'layerCache'>;

/** What [runners.docker] says; `pull_policy` only when `usePullPolicy` (a local run honours only an explicit one). */
export function dockerSettingsFromConfig(d: RunnerEntry['docker'] | undefined, usePullPolicy = true): ConfigDerived {
  const { services, errors } = normalizeDockerServices(d?.services ?? []);
  if (errors.length > 0) throw new DockerSettingsError(`[[runners.docker.services]]: ${errors.map((e) => e.message).join('; ')}`);
  return {
    ...(d?.host || d?.tls_cert_path ? { connection: { ...(d.host ? { host: d.host } : {}), ...(d.tls_cert_path ? { tlsCertPath: d.tls_cert_path } : {}), tlsVerify: d.tls_verify ?? false } } : {}),
    ...(d?.image ? { defaultImage: d.image } : {}),
    privileged: d?.privileged ?? false,
    ...(d?.services_privileged !== undefined ? { servicesPrivileged: d.services_privileged } : {}),
    volumes: [...(d?.volumes ?? [])],
    ...(usePullPolicy && d?.pull_policy ? { pullPolicy: [...d.pull_policy] } : {}),
    ...(d && d.allowed_pull_policies.length > 0 ? { allowedPullPolicies: [...d.allowed_pull_policies] } : {}),
    services: services.map((s) => ({ name: s.name, aliases: s.aliases, variables: s.variables, ...(s.command.length > 0 ? { command: s.command } : {}), ...(s.entrypoint.length > 0 ? { entrypoint: s.entrypoint } : {}) })),
    ...(d ? { waitForServicesTimeout: d.wait_for_services_timeout } : {}),
    ...(d?.disable_entrypoint_overwrite ? { disableEntrypointOverwrite: true } : {}),
    ...(d?.user ? { user: d.user } : {}),
    ...(d?.registry_mirror ? { registryMirror: d.registry_mirror } : {}),
    ...(d?.dind_insecure_registry === false ? { dindInsecureRegistry: false } : {}),
  };
}
