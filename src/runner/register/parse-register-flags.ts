// Turns the raw register flags (from the command line, else the environment) into typed settings and
// the part of the [[runners]] entry they describe. Bad values are reported naming the flag or variable.
import { REGISTER_FLAGS, type RegisterFlag, type RegisterSettingKey } from './register-flags.js';

/** What commander (or a test) collected for one flag. `true` = a boolean flag given bare. */
export interface RawFlagValue {
  values: Array<string | true>;
  source: 'cli' | 'env';
}

export interface RegisterSettings {
  config?: string;
  nonInteractive: boolean;
  leaveRunner: boolean;
  registrationToken?: string;
  tagList?: string;
  runUntagged?: boolean;
  locked?: boolean;
  accessLevel?: 'not_protected' | 'ref_protected';
  maximumTimeout?: number;
  paused?: boolean;
  maintenanceNote?: string;
  templateConfig?: string;
  /** Long names of the flags the user set (command line or environment). */
  given: ReadonlySet<string>;
}

export interface ParsedRegisterFlags {
  settings: RegisterSettings;
  /** Nested plain data in config.toml's shape: only what the flags set. */
  entry: Record<string, unknown>;
  errors: string[];
}

/** Reads a flag's environment variable when the command line did not set it. */
export function rawFromEnv(flag: RegisterFlag, env: NodeJS.ProcessEnv): RawFlagValue | undefined {
  if (!flag.env) return undefined;
  const value = env[flag.env];
  if (value === undefined || value === '') return undefined;
  // Lists in one variable are comma-separated, like gitlab-runner's env parsing of []string.
  const values = flag.kind === 'list' ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : [value];
  return { values, source: 'env' };
}

export function parseRegisterFlags(raw: ReadonlyMap<string, RawFlagValue>): ParsedRegisterFlags {
  const errors: string[] = [];
  const settings: Record<string, unknown> = { nonInteractive: false, leaveRunner: false };
  const entry: Record<string, unknown> = {};
  const given = new Set<string>();

  for (const flag of REGISTER_FLAGS) {
    const rawValue = raw.get(flag.long);
    if (!rawValue || rawValue.values.length === 0) continue;
    const where = rawValue.source === 'cli' ? `--${flag.long}` : `${flag.env ?? flag.long} (environment)`;
    const value = convert(flag, rawValue.values, where, errors);
    if (value === undefined) continue;
    given.add(flag.long);
    if ('setting' in flag.to) settings[flag.to.setting satisfies RegisterSettingKey] = value;
    else setPath(entry, flag.to.entry, value);
  }

  // --docker-services IMAGE: the old list-of-names form of [[runners.docker.services]].
  const docker = entry.docker as Record<string, unknown> | undefined;
  if (docker && Array.isArray(docker.services)) {
    docker.services = (docker.services as string[]).map((name) => ({ name }));
  }
  return { settings: { ...(settings as Omit<RegisterSettings, 'given'>), given }, entry, errors };
}

function convert(flag: RegisterFlag, values: Array<string | true>, where: string, errors: string[]): unknown {
  const last = values[values.length - 1] ?? '';
  switch (flag.kind) {
    case 'bool': {
      if (last === true) return true;
      const v = last.trim().toLowerCase();
      if (['true', '1', 't', 'yes'].includes(v)) return true;
      if (['false', '0', 'f', 'no'].includes(v)) return false;
      errors.push(`${where}: expected true or false, got "${last}"`);
      return undefined;
    }
    case 'int': {
      const v = last === true ? '' : last.trim();
      if (!/^-?\d+$/.test(v)) {
        errors.push(`${where}: expected a whole number, got "${last === true ? '' : last}"`);
        return undefined;
      }
      return Number(v);
    }
    case 'string': {
      const v = last === true ? '' : last;
      if (flag.choices && !flag.choices.includes(v)) {
        errors.push(`${where}: expected ${listOf(flag.choices)}, got "${v}"`);
        return undefined;
      }
      return v;
    }
    case 'list': {
      const list = values.map((v) => (v === true ? '' : v)).filter((v) => v !== '');
      const bad = flag.choices ? list.filter((v) => !flag.choices?.includes(v)) : [];
      if (bad.length > 0) {
        errors.push(`${where}: expected ${listOf(flag.choices ?? [])}, got "${bad.join('", "')}"`);
        return undefined;
      }
      return list;
    }
  }
}

export function listOf(choices: readonly string[]): string {
  if (choices.length <= 1) return choices.join('');
  return `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  path.slice(0, -1).forEach((key) => {
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  });
  const leaf = path[path.length - 1];
  if (leaf !== undefined) node[leaf] = value;
}
