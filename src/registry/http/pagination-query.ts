// `?n=&last=` from a request query.
import { parsePageSize } from '../service/pagination.js';

export function paginateQuery(query: URLSearchParams): { n: number | undefined; last: string | undefined } {
  return { n: parsePageSize(query.get('n') ?? undefined), last: query.get('last') ?? undefined };
}
