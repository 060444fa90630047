// Pure helpers that shape the [[runners]] entry `register` writes, the way gitlab-runner does:
// template values fill what the flags left empty, only the chosen executor's table is kept, docker
// gets a /cache volume, and the [runners.cache] skeleton is always there.

export type PlainTable = Record<string, unknown>;

function isTable(v: unknown): v is PlainTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Deep merge where `over` wins; tables merge key by key, everything else is replaced. */
export function mergeTables(base: PlainTable, over: PlainTable): PlainTable {
  const out: PlainTable = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isTable(current) && isTable(value) ? mergeTables(current, value) : value;
  }
  return out;
}

/** Whether the volume list already mounts something at /cache (`/cache`, `vol:/cache`, `/host:/cache:ro` does not count). */
export function hasCacheVolume(volumes: readonly string[]): boolean {
  return volumes.some((v) => v.split(':').at(-1) === '/cache');
}

/**
 * The entry as written: executor tables other than the chosen one dropped, docker's /cache volume added
 * unless disable_cache, and `[runners.cache]` with its `s3` and `gcs` sub-tables present.
 */
export function finalizeEntry(entry: PlainTable, executor: string): PlainTable {
  const out: PlainTable = { ...entry, executor };
  if (executor !== 'docker') delete out.docker;
  if (executor !== 'kubernetes') delete out.kubernetes;
  if (executor === 'docker') {
    const docker: PlainTable = isTable(out.docker) ? { ...out.docker } : {};
    const volumes = Array.isArray(docker.volumes) ? (docker.volumes as string[]) : [];
    docker.volumes = docker.disable_cache === true || hasCacheVolume(volumes) ? volumes : [...volumes, '/cache'];
    out.docker = docker;
  }
  const cache: PlainTable = isTable(out.cache) ? { ...out.cache } : {};
  cache.s3 = isTable(cache.s3) ? cache.s3 : {};
  cache.gcs = isTable(cache.gcs) ? cache.gcs : {};
  out.cache = cache;
  return out;
}

/** `a, b ,,c` → ['a', 'b', 'c'] (GitLab's tag_list string form). */
export function splitTags(tagList: string | undefined): string[] {
  return (tagList ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
}

/** The value at a path of plain nested tables, or undefined. */
export function getPath(table: PlainTable, path: readonly string[]): unknown {
  let node: unknown = table;
  for (const key of path) {
    if (!isTable(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Whole seconds, as gitlab-runner writes token_obtained_at. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
