// Variables the user gives a local run: `--var KEY=VALUE` and `--variables-file FILE` (YAML map or
// dotenv). They play the part of project CI/CD variables (file) and pipeline variables (--var).
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parseDotenv } from '../runtime/workspace/dotenv.js';

export interface UserVariable {
  key: string;
  value: string;
  masked: boolean;
  file: boolean;
  raw: boolean;
  /** A pipeline variable (--var): child pipelines get it only with `forward:pipeline_variables: true`. */
  pipeline?: boolean;
}

/** A message for the user, naming where the problem is. */
export class UserVariableError extends Error {
  override readonly name = 'UserVariableError';
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseVarFlag(text: string): UserVariable {
  const eq = text.indexOf('=');
  const key = eq > 0 ? text.slice(0, eq) : '';
  if (!KEY.test(key)) {
    throw new UserVariableError(`--var "${text}": expected KEY=VALUE with KEY made of letters, digits and _`);
  }
  return { key, value: text.slice(eq + 1), masked: false, file: false, raw: false };
}

/**
 * A YAML file (`KEY: value` or `KEY: { value, masked, file|type: file, expand }`) or, for any other
 * extension, a dotenv file.
 */
export async function loadVariablesFile(file: string): Promise<UserVariable[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserVariableError(`cannot read variables file ${file}: ${(err as Error).message}`);
  }
  if (/\.ya?ml$/i.test(file)) return fromYaml(file, text);
  const { entries, problems } = parseDotenv(text);
  const first = problems[0];
  if (first !== undefined) throw new UserVariableError(`${file}:${first.line}: ${first.message}`);
  return entries.map((e) => ({ ...e, masked: false, file: false, raw: false }));
}

function fromYaml(file: string, text: string): UserVariable[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UserVariableError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UserVariableError(`${file}: expected a map of KEY: value`);
  }
  return Object.entries(doc as Record<string, unknown>).map(([key, v]) => {
    if (!KEY.test(key)) throw new UserVariableError(`${file}: "${key}" is not a valid variable name`);
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      return { key, value: String(v), masked: false, file: false, raw: false };
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (!('value' in o) || typeof o['value'] === 'object') {
        throw new UserVariableError(`${file}: ${key}: expected { value: ..., masked: true|false, file: true|false, expand: true|false }`);
      }
      const unknownKeys = Object.keys(o).filter((k) => !['value', 'masked', 'file', 'type', 'expand', 'raw', 'description'].includes(k));
      if (unknownKeys.length > 0) throw new UserVariableError(`${file}: ${key}: unknown keys ${unknownKeys.join(', ')}`);
      return {
        key,
        value: String(o['value']),
        masked: o['masked'] === true,
        file: o['file'] === true || o['type'] === 'file',
        raw: o['expand'] === false || o['raw'] === true,
      };
    }
    throw new UserVariableError(`${file}: ${key}: expected a string or { value: ... }`);
  });
}
