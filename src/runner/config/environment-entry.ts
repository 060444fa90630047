// `KEY=value` entries, as used by `[[runners]] environment` and `[[runners.docker.services]] environment`.
// gitlab-runner splits at the first `=` (common.ParseVariable); an entry without `=` is an error.

export interface EnvironmentVariable {
  key: string;
  value: string;
}

/** Splits one `KEY=value` entry; returns an explanation instead when it has no `=` or an empty key. */
export function parseEnvironmentEntry(entry: string): EnvironmentVariable | { error: string } {
  const at = entry.indexOf('=');
  if (at < 0) return { error: `${JSON.stringify(entry)} has no "=" (write it as KEY=value)` };
  const key = entry.slice(0, at);
  if (key.trim() === '') return { error: `${JSON.stringify(entry)} has an empty variable name (write it as KEY=value)` };
  return { key, value: entry.slice(at + 1) };
}

/** Parses a whole list; entries that fail are reported by index and left out of `variables`. */
export function parseEnvironment(entries: readonly string[]): {
  variables: EnvironmentVariable[];
  errors: Array<{ index: number; message: string }>;
} {
  const variables: EnvironmentVariable[] = [];
  const errors: Array<{ index: number; message: string }> = [];
  entries.forEach((entry, index) => {
    const parsed = parseEnvironmentEntry(entry);
    if ('error' in parsed) errors.push({ index, message: parsed.error });
    else variables.push(parsed);
  });
  return { variables, errors };
}
