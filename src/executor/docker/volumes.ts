// `[runners.docker] volumes` entries in Docker `-v` syntax, parsed once with errors that name the
// entry and say what to write instead. Single-path entries (`/certs/client`, `/cache`) become
// per-job volumes mounted into the job container and every service.
import { posix } from 'node:path';

export type VolumeSpec =
  | { kind: 'bind'; source: string; target: string; mode?: string; text: string }
  | { kind: 'named'; name: string; target: string; mode?: string; text: string }
  | { kind: 'dynamic'; target: string; text: string };

export class VolumeSpecError extends Error {
  override readonly name = 'VolumeSpecError';
}

const MODES = new Set(['ro', 'rw', 'z', 'Z', 'shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate', 'nocopy', 'consistent', 'cached', 'delegated']);
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Parses one entry; `projectDir` resolves relative single paths like GitLab does. */
export function parseVolumeSpec(text: string, projectDir: string): VolumeSpec {
  const entry = text.trim();
  const bad = (why: string): never => {
    throw new VolumeSpecError(`invalid volume "${text}": ${why}`);
  };
  if (entry === '') bad('the entry is empty');
  if (/\s/.test(entry)) bad('it contains white space; write "host-path:container-path[:ro]" or "/container-path"');
  const parts = entry.split(':');
  if (parts.some((p) => p === '')) bad('it has an empty part (a stray ":"); write "host-path:container-path[:ro]" or "/container-path"');
  if (parts.length > 3) bad('too many ":"; write "host-path:container-path[:ro]"');
  if (parts.length === 1) {
    const target = posix.resolve(projectDir, entry);
    if (target === '/') bad('"/" cannot be a volume');
    return { kind: 'dynamic', target, text: entry };
  }
  const [source = '', target = '', mode] = parts;
  if (!target.startsWith('/')) bad(`the container path "${target}" must be absolute (start with "/")`);
  if (target === '/') bad('"/" cannot be a container path');
  if (mode !== undefined) {
    const unknown = mode.split(',').filter((m) => !MODES.has(m));
    if (unknown.length > 0) bad(`unknown mode "${unknown.join(',')}" (use ro or rw)`);
  }
  const withMode = mode !== undefined ? { mode } : {};
  if (source.startsWith('/')) return { kind: 'bind', source, target: posix.normalize(target), ...withMode, text: entry };
  if (source.startsWith('.') || source.startsWith('~') || source.includes('/')) {
    bad(`the host path "${source}" must be absolute (Docker resolves binds on the Docker host, not in the job)`);
  }
  if (!VOLUME_NAME.test(source)) bad(`"${source}" is neither an absolute host path nor a valid volume name`);
  return { kind: 'named', name: source, target: posix.normalize(target), ...withMode, text: entry };
}

/** Parses every entry; the same container path twice is an error (GitLab's wording). */
export function parseVolumeSpecs(texts: readonly string[], projectDir: string): VolumeSpec[] {
  const seen = new Set<string>();
  return texts.map((text) => {
    const spec = parseVolumeSpec(text, projectDir);
    if (seen.has(spec.target)) throw new VolumeSpecError(`volume for container path "${spec.target}" is already defined`);
    seen.add(spec.target);
    return spec;
  });
}

/** Docker `Binds` entry for a bind or named volume. */
export function bindEntry(spec: Exclude<VolumeSpec, { kind: 'dynamic' }>): string {
  const src = spec.kind === 'bind' ? spec.source : spec.name;
  return spec.mode ? `${src}:${spec.target}:${spec.mode}` : `${src}:${spec.target}`;
}

/** True when an entry binds the host's Docker socket (socket binding recipe). */
export function bindsDockerSocket(specs: readonly VolumeSpec[]): boolean {
  return specs.some((s) => s.kind === 'bind' && s.target === '/var/run/docker.sock');
}
