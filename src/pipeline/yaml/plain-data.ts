// Helpers for the plain JSON-like data the loader produces.

export type PlainRecord = Record<string, unknown>;

/** True for a mapping produced by the loader (not an array, not a !reference tag). */
export function isRecord(value: unknown): value is PlainRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets an own property even for the key `__proto__`, which plain assignment would treat as the prototype. */
export function setOwn(target: PlainRecord, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export function hasOwn(target: PlainRecord, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

/** Ruby's `inspect` for the values GitLab puts in messages (strings quoted, arrays bracketed). */
export function rubyInspect(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(rubyInspect).join(', ')}]`;
  if (value === null || value === undefined) return 'nil';
  if (isRecord(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}=>${rubyInspect(v)}`).join(', ')}}`;
  }
  return String(value);
}
