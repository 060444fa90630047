// Normalises an `include:` value (string, list, hashes) into one entry per include, like GitLab's
// External::Mapper normalizer and matcher. Strings are local paths unless they are URLs.
import { hasOwn, isRecord, type PlainRecord } from './plain-data.js';

export type IncludeKind = 'local' | 'project' | 'remote' | 'template' | 'component' | 'artifact';

export interface IncludeEntry {
  kind: IncludeKind;
  /** Key path of the entry in the including file, e.g. ['include', 2]. */
  path: Array<string | number>;
  /** local path, project path, URL, template name or component address, as written. */
  location: unknown;
  /** include:project `file` (string or list). */
  file?: unknown;
  ref?: unknown;
  inputs?: unknown;
  rules?: unknown;
}

export interface EntryError {
  path: Array<string | number>;
  message: string;
}

const SUBKEYS = ['local', 'project', 'remote', 'template', 'artifact', 'component'] as const;
const ALLOWED_KEYS = new Set([...SUBKEYS, 'file', 'ref', 'rules', 'inputs', 'with', 'job', 'cache', 'integrity']);
const SUBKEY_LIST = `\`${SUBKEYS.join('`, `')}\``;

export function isUrl(value: string): boolean {
  return /^https?:\/\/[^\s/]+/i.test(value);
}

export function normalizeIncludes(value: unknown): { entries: IncludeEntry[]; errors: EntryError[] } {
  const entries: IncludeEntry[] = [];
  const errors: EntryError[] = [];
  const items: Array<{ raw: unknown; path: Array<string | number> }> = Array.isArray(value)
    ? value.map((raw, i) => ({ raw, path: ['include', i] }))
    : [{ raw: value, path: ['include'] }];
  for (const { raw, path } of items) {
    if (typeof raw === 'string') {
      entries.push({ kind: isUrl(raw) ? 'remote' : 'local', path, location: raw });
    } else if (isRecord(raw)) {
      const entry = fromHash(raw, path);
      if ('message' in entry) errors.push(entry);
      else entries.push(entry);
    } else {
      errors.push({ path, message: 'include config should be a hash, a string or an array of hashes and strings' });
    }
  }
  return { entries, errors };
}

function fromHash(raw: PlainRecord, path: Array<string | number>): IncludeEntry | EntryError {
  const unknown = Object.keys(raw).filter((k) => !ALLOWED_KEYS.has(k));
  if (unknown.length > 0) return { path, message: `include config contains unknown keys: ${unknown.join(', ')}` };
  const present = (k: string) => hasOwn(raw, k) && raw[k] !== null && raw[k] !== undefined && raw[k] !== '';
  const matching: IncludeKind[] = [];
  if (present('local')) matching.push('local');
  if (present('project') && present('file')) matching.push('project');
  if (present('remote')) matching.push('remote');
  if (present('template')) matching.push('template');
  if (present('artifact') && present('job')) matching.push('artifact');
  if (present('component')) matching.push('component');
  if (matching.length === 0) {
    return { path, message: `\`${JSON.stringify(raw)}\` does not have a valid subkey for include. Valid subkeys are: ${SUBKEY_LIST}` };
  }
  if (matching.length > 1) return { path, message: `Each include must use only one of: ${SUBKEY_LIST}` };
  const kind = matching[0] as IncludeKind;
  const location = kind === 'artifact' ? raw['artifact'] : raw[kind];
  return {
    kind,
    path,
    location: Array.isArray(location) && kind === 'project' ? location[0] : location,
    file: raw['file'],
    ref: raw['ref'],
    inputs: raw['inputs'] ?? raw['with'],
    rules: raw['rules'],
  };
}
