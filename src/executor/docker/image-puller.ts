// Makes an image available to the Docker engine according to GitLab's pull policies, tried in
// order (`[always, if-not-present]` = pull, else use the local copy), with registry credentials
// from credential-sources. Errors say which image, which policies, and what to do.
import type Docker from 'dockerode';
import type { PullPolicy } from '../../pipeline/spec/job-spec.js';
import { ExecutorError } from '../executor.js';
import type { RegistryAuth } from './credential-sources.js';
import { pullableImageName } from './service-aliases.js';

export interface PulledImage {
  id: string;
  /** TCP ports from EXPOSE, sorted ascending. */
  exposedTcpPorts: number[];
  /** The image's ENTRYPOINT (empty when it has none). */
  entrypoint: string[];
}

export interface EnsureImageRequest {
  image: string;
  /** Effective policies in order (already intersected with the allowed ones). */
  policies: PullPolicy[];
  /** Looked up only when a pull is needed. */
  auth: () => Promise<RegistryAuth | undefined>;
  log: (line: string) => void;
  signal: AbortSignal;
}

const VALID: readonly PullPolicy[] = ['always', 'if-not-present', 'never'];

/** GitLab's policy resolution: requested (job, else runner, else default) ∩ allowed, in requested order. */
export function effectivePullPolicies(requested: readonly string[], runner: readonly PullPolicy[], allowed: readonly PullPolicy[], fallback: readonly PullPolicy[]): PullPolicy[] {
  const source = requested.length > 0 ? 'GitLab pipeline config' : runner.length > 0 ? 'Runner config' : 'Runner config (default)';
  const wanted = requested.length > 0 ? requested : runner.length > 0 ? runner : fallback;
  for (const p of wanted) {
    if (!VALID.includes(p as PullPolicy)) {
      throw new ExecutorError(`unsupported pull_policy config: "${p}" (use always, if-not-present or never)`, 'runner_configuration_error');
    }
  }
  const allow = allowed.length > 0 ? allowed : runner.length > 0 ? runner : wanted;
  const result = (wanted as PullPolicy[]).filter((p) => allow.includes(p));
  if (result.length === 0) {
    throw new ExecutorError(`pull_policy ([${wanted.join(' ')}]) defined in ${source} is not one of the allowed_pull_policies ([${allow.join(' ')}])`, 'runner_configuration_error');
  }
  return result;
}

export class ImagePuller {
  constructor(private readonly docker: Docker) {}

  async ensure(req: EnsureImageRequest): Promise<PulledImage> {
    const name = pullableImageName(req.image);
    const errors: string[] = [];
    for (const [i, policy] of req.policies.entries()) {
      if (i > 0) req.log(`Attempt #${i + 1}: Trying "${policy}" pull policy`);
      const local = await this.inspect(name, req.signal);
      if (policy === 'never' || (policy === 'if-not-present' && local)) {
        if (local) {
          if (policy === 'if-not-present') req.log(`Using locally found image version due to "if-not-present" pull policy for ${name}`);
          return local;
        }
        errors.push(`image is not present locally and the "never" pull policy forbids pulling`);
        continue;
      }
      try {
        await this.pull(name, await req.auth(), req.log, req.signal);
        const pulled = await this.inspect(name, req.signal);
        if (pulled) {
          req.log(`Using docker image ${pulled.id} for ${name} ...`);
          return pulled;
        }
        errors.push('the pull finished but the image is not there');
      } catch (err) {
        if (req.signal.aborted) throw req.signal.reason;
        const described = describePullError(err);
        // gitlab-runner fails here; an offline machine (or a registry outage) would then fail every job
        // whose image is right there. Only for an unreachable registry, never for auth or a missing tag.
        if (local && i === req.policies.length - 1 && isRegistryUnreachable(described)) {
          req.log(`WARNING: cannot reach the registry to pull ${name} (${described}); using the local copy ${local.id}. ` +
            'Set pull_policy = ["if-not-present"] (or ["always", "if-not-present"]) to skip this attempt.');
          return local;
        }
        errors.push(described);
      }
    }
    const hint = errors.some((e) => e.includes('not found') || e.includes('does not exist'))
      ? ' Check the image name and tag.'
      : errors.some((e) => e.includes('unauthorized') || e.includes('denied'))
        ? ' Provide credentials with DOCKER_AUTH_CONFIG (job/project variable or runner environment) or ~/.docker/config.json.'
        : req.policies.includes('if-not-present') ? '' : ' Without registry access, build or load the image locally and use pull_policy: if-not-present.';
    throw new ExecutorError(`failed to pull image "${req.image}" with specified policies [${req.policies.join(' ')}]: ${errors.join('; ')}.${hint}`, 'image_pull_failure');
  }

  private async inspect(name: string, signal: AbortSignal): Promise<PulledImage | undefined> {
    try {
      void signal; // image inspect takes no abort signal in dockerode; it is quick
      const info = await this.docker.getImage(name).inspect();
      const exposed = Object.keys(info.Config?.ExposedPorts ?? {})
        .filter((p) => p.endsWith('/tcp') || !p.includes('/'))
        .map((p) => Number.parseInt(p, 10))
        .filter((n) => Number.isInteger(n) && n > 0)
        .sort((a, b) => a - b);
      const entrypoint = info.Config?.Entrypoint;
      return { id: info.Id, exposedTcpPorts: exposed, entrypoint: Array.isArray(entrypoint) ? entrypoint : typeof entrypoint === 'string' ? [entrypoint] : [] };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw new ExecutorError(`cannot inspect image "${name}": ${(err as Error).message}`, 'runner_system_failure', { cause: err });
    }
  }

  private async pull(name: string, auth: RegistryAuth | undefined, log: (line: string) => void, signal: AbortSignal): Promise<void> {
    log(`Pulling docker image ${name} ...`);
    const stream = (await this.docker.pull(name, { ...(auth ? { authconfig: auth } : {}), abortSignal: signal })) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(stream, (err: Error | null, output: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
        const failed = output.find((o) => o.error);
        if (err) reject(err);
        else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve();
      });
    });
  }
}

/** The registry could not be reached at all (DNS, connection, TLS handshake, timeout). */
export function isRegistryUnreachable(message: string): boolean {
  return /no such host|connection refused|network is unreachable|i\/o timeout|dial tcp|TLS handshake timeout|context deadline exceeded/i.test(message)
    && !/unauthorized|denied|not found|manifest unknown/i.test(message);
}

function describePullError(err: unknown): string {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
  const message = (e.json?.message ?? e.message ?? String(err)).replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim();
  if (e.statusCode === 404 || /not found|manifest unknown/i.test(message)) return `image not found (${message})`;
  if (/unauthorized|authentication required|denied|no basic auth credentials/i.test(message)) return `unauthorized (${message})`;
  return message;
}
