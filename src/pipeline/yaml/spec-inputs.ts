// The `spec:inputs` header of a file: checks the given inputs against it and returns the values
// to interpolate. Messages follow GitLab's (Ci::Inputs / Header::Input).
import { hasOwn, isRecord, type PlainRecord } from './plain-data.js';

const TYPES = ['string', 'number', 'boolean', 'array'] as const;
type InputType = (typeof TYPES)[number];
const ARTICLE: Record<InputType, string> = { string: 'a string', number: 'a number', boolean: 'a boolean', array: 'an array' };
const SPEC_KEYS = new Set(['inputs', 'component', 'include']);
const INPUT_KEYS = new Set(['default', 'description', 'options', 'regex', 'type', 'rules']);
const MAX_OPTIONS = 50;

export interface InputsResult {
  values: PlainRecord;
  errors: string[];
}

/** `header` is the first YAML document (`{spec: {inputs: ...}}`); `given` the caller's `inputs:`. */
export function resolveSpecInputs(header: PlainRecord, given: PlainRecord): InputsResult {
  const errors: string[] = [];
  const spec = header['spec'];
  if (!isRecord(spec)) return { values: {}, errors: ['header:spec config should be a hash'] };
  const unknownSpec = Object.keys(spec).filter((k) => !SPEC_KEYS.has(k));
  if (unknownSpec.length > 0) errors.push(`header:spec config contains unknown keys: ${unknownSpec.join(', ')}`);
  const rawInputs = spec['inputs'] ?? {};
  if (!isRecord(rawInputs)) return { values: {}, errors: [...errors, 'header:spec:inputs config should be a hash'] };

  const unknown = Object.keys(given).filter((k) => !hasOwn(rawInputs, k));
  if (unknown.length > 0) errors.push(`unknown input arguments: ${unknown.join(', ')}`);

  const values: PlainRecord = {};
  for (const name of Object.keys(rawInputs)) {
    const def = rawInputs[name] ?? {};
    if (!isRecord(def)) {
      errors.push(`header:spec:inputs:${name} config should be a hash`);
      continue;
    }
    const badKeys = Object.keys(def).filter((k) => !INPUT_KEYS.has(k));
    if (badKeys.length > 0) {
      errors.push(`header:spec:inputs:${name} config contains unknown keys: ${badKeys.join(', ')}`);
      continue;
    }
    const type = (def['type'] ?? 'string') as InputType;
    if (!TYPES.includes(type)) {
      errors.push(`header:spec:inputs:${name} input type unknown value: ${String(def['type'])}`);
      continue;
    }
    const fail = (m: string) => errors.push(`\`${name}\` input: ${m}`);
    const provided = hasOwn(given, name) && given[name] !== null && given[name] !== undefined;
    const hasDefault = hasOwn(def, 'default');
    if (!provided && !hasDefault) {
      fail('required value has not been provided');
      continue;
    }
    const value = provided ? given[name] : def['default'];
    const which = provided ? 'provided' : 'default';
    if (!matchesType(type, value)) {
      fail(`${which} value is not ${ARTICLE[type]}`);
      continue;
    }
    const options = def['options'];
    if (options !== undefined) {
      if (!Array.isArray(options)) {
        fail('options should be an array');
        continue;
      }
      if (options.length > MAX_OPTIONS) fail(`options cannot exceed ${MAX_OPTIONS} values`);
      else if (!options.some((o) => o === value)) fail(`\`${String(value)}\` cannot be used because it is not in the list of allowed options`);
    }
    const regex = def['regex'];
    if (regex !== undefined && typeof value === 'string') {
      const re = compileRegex(regex);
      if (!re) fail('invalid regular expression');
      else if (!re.test(value)) fail(`${which} value does not match required RegEx pattern`);
    }
    values[name] = value;
  }
  return { values, errors };
}

function matchesType(type: InputType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
  }
}

function compileRegex(source: unknown): RegExp | undefined {
  if (typeof source !== 'string') return undefined;
  try {
    return new RegExp(source, 'u');
  } catch {
    try {
      return new RegExp(source);
    } catch {
      return undefined;
    }
  }
}
