// Registry flags added to docker:dind services' dockerd command line:
// - `--insecure-registry <CI_REGISTRY>` when the job's server speaks plain HTTP (CI_SERVER_URL
//   http://): the built-in registry is then HTTP too, and dockerd refuses HTTP registries other
//   than 127.0.0.0/8 unless told. Only that one registry is marked insecure.
// - `--registry-mirror <URL>` from `[runners.docker] registry_mirror` (a Drydock pull-through mirror).
// Flags already in the service's command are not repeated. A command that is not dockerd's
// (e.g. `sh -c ...`) is left alone: appending flags would change what it runs.
import type { ExecutorJob } from '../executor.js';
import { isDindImage } from './docker-host-diagnosis.js';

export interface DindRegistryOptions {
  /** `[runners.docker] registry_mirror`: added as --registry-mirror to every dind service. */
  registryMirror?: string;
  /** `[runners.docker] dind_insecure_registry = false` turns the automatic --insecure-registry off. */
  dindInsecureRegistry?: boolean;
}

function lastValue(variables: ExecutorJob['variables'], key: string): string | undefined {
  for (let i = variables.length - 1; i >= 0; i--) if (variables[i]!.key === key) return variables[i]!.value;
  return undefined;
}

/** The dind service's command with the registry flags it needs; `command` unchanged otherwise. */
export function dindServiceCommand(image: string, command: string[] | undefined, variables: ExecutorJob['variables'], opts: DindRegistryOptions): string[] | undefined {
  if (!isDindImage(image, [])) return command;
  const base = command ?? [];
  // dockerd-entrypoint.sh passes arguments starting with '-' (or after `dockerd`) to dockerd.
  if (base.length > 0 && !base[0]!.startsWith('-') && base[0] !== 'dockerd') return command;
  const extra: string[] = [];
  const has = (flag: string, value: string) => base.some((arg, i) => arg === `${flag}=${value}` || (arg === flag && base[i + 1] === value));
  const registry = lastValue(variables, 'CI_REGISTRY');
  const serverUrl = lastValue(variables, 'CI_SERVER_URL');
  if (opts.dindInsecureRegistry !== false && registry && serverUrl?.startsWith('http://') && !has('--insecure-registry', registry)) {
    extra.push('--insecure-registry', registry);
  }
  if (opts.registryMirror && !has('--registry-mirror', opts.registryMirror)) extra.push('--registry-mirror', opts.registryMirror);
  return extra.length === 0 ? command : [...base, ...extra];
}

/** `{ cmd }` for the service's create options (nothing when there is no command). */
export function serviceCmd(image: string, command: string[] | undefined, variables: ExecutorJob['variables'], opts: DindRegistryOptions): { cmd?: string[] } {
  const cmd = dindServiceCommand(image, command, variables, opts);
  return cmd ? { cmd } : {};
}
