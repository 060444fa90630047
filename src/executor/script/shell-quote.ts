// POSIX single-quoting: the one escaping rule that bash, dash and busybox ash all agree on.
// (gitlab-runner uses bash's $'…' ANSI-C quoting; plain single quotes are portable to every sh.)

/** Characters that never need quoting (gitlab-runner's safe set). */
const SAFE = /^[A-Za-z0-9,._/@-]+$/;

/** Quotes `value` so the shell reads it back byte for byte, with no expansion. */
export function shellQuote(value: string): string {
  if (SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** True when `key` can be exported as a shell variable. */
export function isShellIdentifier(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
}
