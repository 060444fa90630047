// `n` / `last` pagination shared by tag lists and the catalog (sorted input assumed).
import { RegistryError } from '../errors.js';

export interface Page<T> {
  items: T[];
  /** The `last` value for the next page, when more items follow. */
  next?: string;
}

export function parsePageSize(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,9}$/.test(text)) {
    throw new RegistryError('PAGINATION_NUMBER_INVALID', `n must be a non-negative integer, got "${text.slice(0, 50)}"`, { detail: { n: text.slice(0, 50) } });
  }
  return Number(text);
}

export function paginate<T>(sorted: readonly T[], key: (item: T) => string, n: number | undefined, last: string | undefined): Page<T> {
  const after = last === undefined ? sorted : sorted.filter((item) => key(item) > last);
  if (n === undefined) return { items: [...after] };
  const items = after.slice(0, n);
  const tail = items[items.length - 1];
  return n > 0 && after.length > n && tail !== undefined ? { items, next: key(tail) } : { items };
}
