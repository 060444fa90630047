// Where registry credentials come from on this machine: $DOCKER_AUTH_CONFIG (a job, project or
// runner `environment` variable), then the runner user's Docker config file. Problems never
// fail the pull by themselves: they are reported by name and the pull goes on anonymously.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedVariable } from '../executor.js';
import { findCredentials, helperProblem, parseDockerConfig, type CredentialMatch, type CredentialSource } from './registry-auth.js';

/** Docker's API form of credentials (X-Registry-Auth). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress: string;
  identitytoken?: string;
}

export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

export async function loadCredentialSources(variables: readonly ResolvedVariable[], configPath: string, warn: (line: string) => void): Promise<CredentialSource[]> {
  const sources: CredentialSource[] = [];
  const authVar = [...variables].reverse().find((v) => v.key === 'DOCKER_AUTH_CONFIG');
  if (authVar) {
    try {
      const text = authVar.file ? await readFile(authVar.value, 'utf8') : authVar.value;
      sources.push({ name: '$DOCKER_AUTH_CONFIG', config: parseDockerConfig(text, '$DOCKER_AUTH_CONFIG') });
    } catch (err) {
      warn(`WARNING: ignoring DOCKER_AUTH_CONFIG: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  let text: string | undefined;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    text = undefined; // no config file: anonymous pulls, as with the docker CLI
  }
  if (text !== undefined) {
    try {
      sources.push({ name: configPath, config: parseDockerConfig(text, configPath) });
    } catch (err) {
      warn(`WARNING: ignoring ${configPath}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return sources;
}

/** Credentials for `image`, or undefined for an anonymous pull. Logs which source was used. */
export async function resolveRegistryAuth(image: string, sources: readonly CredentialSource[], log: (line: string) => void, signal: AbortSignal): Promise<RegistryAuth | undefined> {
  const match = findCredentials(image, sources);
  if (!match) return undefined;
  if (match.kind === 'auth') {
    log(`Authenticating with credentials from ${match.source}`);
    return { username: match.username, password: match.password, serveraddress: match.serverAddress, ...(match.identityToken ? { identitytoken: match.identityToken } : {}) };
  }
  return runHelper(match, log, signal);
}

async function runHelper(match: Extract<CredentialMatch, { kind: 'helper' }>, log: (line: string) => void, signal: AbortSignal): Promise<RegistryAuth | undefined> {
  const problem = helperProblem(match.helper);
  const program = `docker-credential-${match.helper}`;
  const unusable = (why: string) => {
    log(`WARNING: ${match.source} names credential helper "${match.helper}" for "${match.key}", but ${why}; pulling without credentials`);
    return undefined;
  };
  if (problem) return unusable(problem);
  const output = await new Promise<{ ok: true; stdout: string } | { ok: false; why: string }>((resolve) => {
    const child = execFile(program, ['get'], { signal, timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout });
      const code = (err as NodeJS.ErrnoException).code;
      resolve({ ok: false, why: code === 'ENOENT' ? `${program} is not installed on this machine (not on PATH)` : `${program} failed: ${(stderr || err.message).trim()}` });
    });
    child.stdin?.end(match.serverAddress);
  });
  if (!output.ok) return unusable(output.why);
  try {
    const parsed = JSON.parse(output.stdout) as { Username?: string; Secret?: string };
    log(`Authenticating with credentials from ${match.source} (${program})`);
    return parsed.Username === '<token>'
      ? { serveraddress: match.serverAddress, ...(parsed.Secret ? { identitytoken: parsed.Secret } : {}) }
      : { serveraddress: match.serverAddress, ...(parsed.Username ? { username: parsed.Username } : {}), ...(parsed.Secret ? { password: parsed.Secret } : {}) };
  } catch {
    return unusable(`${program} printed something that is not JSON`);
  }
}
