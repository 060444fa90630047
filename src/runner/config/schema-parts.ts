// Small zod building blocks shared by the config.toml tables, so each table file reads like
// gitlab-runner's struct: one line per key.
import { z } from 'zod';
import { describeValue } from './describe-value.js';
import { parseEnvironmentEntry } from './environment-entry.js';

/** An integer; says "integer" (not "number") when given a string or a table. */
export const int = () =>
  z
    .number({ error: (iss) => (iss.code === 'invalid_type' ? `expected an integer, got ${describeValue(iss.input)}` : undefined) })
    .int();

/** A list of strings that is empty when absent (Go's nil slice). */
export const stringList = () => z.array(z.string()).default([]);

/** A `key = "value"` table that is empty when absent (Go's nil map[string]string). */
export const stringMap = () => z.record(z.string(), z.string()).default({});

/**
 * A table gitlab-runner owns but Drydock does not interpret (ssh, machine, autoscaler, …): accepted as
 * written and kept so a rewrite of the file loses nothing.
 */
export const opaqueTable = () => z.record(z.string(), z.unknown());

/** An integer where gitlab-runner treats `<= 0` (or `== 0`) as "use the default". */
export function intDefaultWhen(fallback: number, isUnset: (v: number) => boolean) {
  return int()
    .default(fallback)
    .transform((v) => (isUnset(v) ? fallback : v));
}

// Go's time.ParseDuration syntax ("1h30m", "300s", "1.5h"); BurntSushi/toml also takes integer nanoseconds.
const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$|^0$/;

/** A Go time.Duration: a string like "15m" or an integer number of nanoseconds. */
export const goDuration = () =>
  z.union([
    z.string().regex(GO_DURATION, { error: 'expected a duration like "30s", "15m" or "1h30m"' }),
    int(),
  ], { error: (iss) => (iss.code === 'invalid_union' ? 'expected a duration like "30s", "15m" or "1h30m"' : undefined) });

/** `environment = ["K=V", …]`: every entry needs a `=`. */
export const environmentList = () =>
  z
    .array(
      z.string().check((ctx) => {
        const parsed = parseEnvironmentEntry(ctx.value);
        if ('error' in parsed) ctx.issues.push({ code: 'custom', message: parsed.error, input: ctx.value });
      }),
    )
    .default([]);

export const PULL_POLICIES = ['always', 'if-not-present', 'never'] as const;
export const PullPolicySchema = z.enum(PULL_POLICIES);
export type PullPolicy = z.infer<typeof PullPolicySchema>;

/**
 * gitlab-runner's StringOrArray: `pull_policy = "always"` or `pull_policy = ["always", "if-not-present"]`.
 * Always a list after parsing.
 */
export function pullPolicyList(whenAbsent: PullPolicy[]) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? [v] : v),
    z.array(PullPolicySchema, { error: 'expected a pull policy or a list of pull policies' }).default(whenAbsent),
  );
}

/** `[[runners.docker.services]]` / `[[runners.kubernetes.services]]` (common.Service). */
export const ServiceSchema = z.strictObject({
  name: z.string().min(1, { error: 'must name the service image, e.g. "docker:24-dind"' }),
  /** One or more aliases separated by spaces or commas. */
  alias: z.string().optional(),
  command: stringList(),
  entrypoint: stringList(),
  environment: environmentList(),
  /** Kubernetes only. */
  suspend_data_path: z.string().optional(),
});
export type ServiceConfig = z.infer<typeof ServiceSchema>;
