// Reading a job's variable list as gitlab-runner does: a key may stand several times (layers:
// YAML, project, runner environment...) and the last one wins; a flag is on when Go's
// strconv.ParseBool reads it as true.

export function lastValue(vars: ReadonlyArray<{ key: string; value: string }>, key: string): string | undefined {
  let value: string | undefined;
  for (const v of vars) if (v.key === key) value = v.value;
  return value;
}

/** The spellings strconv.ParseBool takes as true (anything else, unset included, is false). */
export function isGoTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}
