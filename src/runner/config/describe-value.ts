// How a TOML value reads back to the user in an error message.

/** How a TOML value reads back to the user: strings quoted, tables and lists by kind. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return `the date-time ${v.toISOString()}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a table';
  return typeof v;
}
