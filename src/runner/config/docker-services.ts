// `[[runners.docker.services]]` as a plain list the Docker executor can use directly: aliases split,
// `environment = ["K=V"]` turned into key/value pairs. Runner-configured services are started before
// the job's own `services:` and skip the allowed_services check (gitlab-runner behaviour).
import { parseEnvironmentEntry, type EnvironmentVariable } from './environment-entry.js';
import type { ServiceConfig } from './schema-parts.js';

export interface RunnerService {
  /** Image reference, e.g. "docker:24.0.5-dind". */
  name: string;
  /** Aliases from `alias`, which may hold several separated by spaces or commas. */
  aliases: string[];
  command: string[];
  entrypoint: string[];
  variables: EnvironmentVariable[];
}

export interface RunnerServiceError {
  /** 0-based position in `[[runners.docker.services]]`. */
  index: number;
  message: string;
}

export function normalizeDockerServices(services: ReadonlyArray<Pick<ServiceConfig, 'name'> & Partial<ServiceConfig>>): {
  services: RunnerService[];
  errors: RunnerServiceError[];
} {
  const out: RunnerService[] = [];
  const errors: RunnerServiceError[] = [];
  services.forEach((service, index) => {
    const where = `[[runners.docker.services]] #${index + 1}`;
    if (service.name.trim() === '') {
      errors.push({ index, message: `${where}: name is empty (set name = "docker:24-dind" or another image)` });
      return;
    }
    const variables: EnvironmentVariable[] = [];
    (service.environment ?? []).forEach((entry, i) => {
      const parsed = parseEnvironmentEntry(entry);
      if ('error' in parsed) errors.push({ index, message: `${where} environment[${i}]: ${parsed.error}` });
      else variables.push(parsed);
    });
    out.push({
      name: service.name,
      aliases: splitAliases(service.alias ?? ''),
      command: [...(service.command ?? [])],
      entrypoint: [...(service.entrypoint ?? [])],
      variables,
    });
  });
  return { services: out, errors };
}

/** `alias = "docker, dind docker-host"` → ["docker", "dind", "docker-host"] (common.Service.Aliases). */
export function splitAliases(alias: string): string[] {
  return alias.split(/[\s,]+/).filter((a) => a !== '');
}
