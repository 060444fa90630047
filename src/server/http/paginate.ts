// GitLab's offset pagination: page/per_page query, X-Total, X-Page, X-Per-Page, X-Next-Page, Link.
import type { FastifyReply, FastifyRequest } from 'fastify';

export function paginate<T>(req: FastifyRequest, reply: FastifyReply, items: readonly T[]): T[] {
  const q = req.query as Record<string, unknown>;
  const perPage = Math.min(Math.max(Number(q.per_page) || 20, 1), 100);
  const page = Math.max(Number(q.page) || 1, 1);
  const totalPages = Math.max(Math.ceil(items.length / perPage), 1);
  void reply
    .header('X-Total', String(items.length))
    .header('X-Total-Pages', String(totalPages))
    .header('X-Page', String(page))
    .header('X-Per-Page', String(perPage))
    .header('X-Next-Page', page < totalPages ? String(page + 1) : '')
    .header('X-Prev-Page', page > 1 ? String(page - 1) : '');
  return items.slice((page - 1) * perPage, page * perPage);
}
