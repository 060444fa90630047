// GitLab's service hostname rules (gitlab-runner helpers/container/services): every service is
// reachable by aliases derived from its image name plus the user's `alias:` values, and an alias
// already taken by an earlier service is skipped (the first service to claim an alias wins).

/** An image reference split into its parts (`registry:5000/ns/name:tag@sha256:…`). */
export interface ImageReference {
  /** Repository without tag or digest, as written (registry host and port included). */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  let tag: string | undefined;
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The name Docker pulls: `:latest` is added when the reference has neither tag nor digest. */
export function pullableImageName(image: string): string {
  const ref = parseImageReference(image);
  return ref.tag === undefined && ref.digest === undefined ? `${image.trim()}:latest` : image.trim();
}

/** GitLab's `Service` name: repository with any registry port removed (`host:port/x` → `host/x`). */
export function serviceName(image: string): string {
  const { repository } = parseImageReference(image);
  const slash = repository.indexOf('/');
  if (slash < 0) return repository;
  const host = repository.slice(0, slash).replace(/:\d+$/, '');
  return `${host}${repository.slice(slash)}`;
}

/** `ns/svc` → [`ns__svc`, `ns-svc`]; a name without a slash has one alias. */
export function derivedAliases(image: string): string[] {
  const name = serviceName(image);
  const first = name.replaceAll('/', '__');
  const second = name.replaceAll('/', '-');
  return second === first ? [first] : [first, second];
}

// Docker's embedded DNS answers any alias, but clients (curl, docker, Go's resolver) need a
// host name: letters, digits, '-', '_' and '.', not starting or ending with '-' or '.'.
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?$/;

/** Why `alias` cannot be used as a host name, or undefined when it can. */
export function aliasProblem(alias: string): string | undefined {
  if (alias === '') return 'an alias is empty';
  if (!HOSTNAME.test(alias)) {
    return `alias "${alias}" is not a valid host name: use letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
  }
  if (alias.split('.').some((label) => label.length > 63)) return `alias "${alias}" has a part longer than 63 characters`;
  return undefined;
}

export interface ServiceAliasRequest {
  image: string;
  userAliases: string[];
}

export interface ServiceAliasAssignment {
  /** Aliases this service gets on the job network, in order; empty = the service is not started. */
  aliases: string[];
  /** Every alias the service asked for (derived first, then the user's). */
  requested: string[];
  /** GitLab-worded warnings for skipped aliases. */
  warnings: string[];
}

/** Assigns aliases in service order; later services lose aliases already taken. Pure. */
export function assignServiceAliases(services: ServiceAliasRequest[], reserved: string[] = ['build']): ServiceAliasAssignment[] {
  const taken = new Set(reserved);
  return services.map((svc, index) => {
    const requested = [...new Set([...derivedAliases(svc.image), ...svc.userAliases])];
    const aliases: string[] = [];
    const warnings: string[] = [];
    for (const alias of requested) {
      if (taken.has(alias)) {
        warnings.push(`Skipping alias "${alias}" for service "${svc.image}" (services[${index}]): alias is already in use by another service.`);
        continue;
      }
      taken.add(alias);
      aliases.push(alias);
    }
    if (aliases.length === 0) {
      warnings.push(`Service "${svc.image}" (services[${index}]) is not started: all of its aliases (${requested.join(', ')}) are in use by other services. Give it a distinct alias:.`);
    }
    return { aliases, requested, warnings };
  });
}
