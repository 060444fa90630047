// Manifests by tag or digest, tag lists, the catalog and the referrers API.
import { MAX_MANIFEST_BYTES } from '../manifest.js';
import { paginateQuery } from './pagination-query.js';
import { readBody } from './request-body.js';
import { nextLink, type RouteContext } from './route-context.js';

export async function getManifest(ctx: RouteContext, name: string, reference: string, head: boolean): Promise<void> {
  const manifest = await ctx.manifests.get(name, reference, ctx.signal);
  const reply = ctx.reply
    .header('Content-Type', manifest.mediaType)
    .header('Docker-Content-Digest', manifest.digest)
    .header('ETag', `"${manifest.digest}"`)
    .header('Content-Length', String(manifest.bytes.length));
  await (head ? reply.send() : reply.send(manifest.bytes));
}

export async function putManifest(ctx: RouteContext, name: string, reference: string): Promise<void> {
  const bytes = await readBody(ctx.request.raw, MAX_MANIFEST_BYTES);
  const result = await ctx.manifests.put(name, reference, ctx.request.headers['content-type'], bytes, ctx.signal);
  const reply = ctx.reply
    .code(201)
    .header('Location', `/v2/${name}/manifests/${result.digest}`)
    .header('Docker-Content-Digest', result.digest)
    .header('Content-Length', '0');
  if (result.subject) reply.header('OCI-Subject', result.subject);
  await reply.send();
}

export async function deleteManifest(ctx: RouteContext, name: string, reference: string): Promise<void> {
  await ctx.manifests.delete(name, reference, ctx.signal);
  await ctx.reply.code(202).header('Content-Length', '0').send();
}

export async function listTags(ctx: RouteContext, name: string): Promise<void> {
  const { n, last } = paginateQuery(ctx.query);
  const page = await ctx.manifests.tags(name, n, last, ctx.signal);
  if (page.next !== undefined && n !== undefined) ctx.reply.header('Link', nextLink(`/v2/${name}/tags/list`, n, page.next));
  await ctx.reply.header('Content-Type', 'application/json').send(Buffer.from(JSON.stringify({ name, tags: page.items })));
}

export async function catalog(ctx: RouteContext): Promise<void> {
  const { n, last } = paginateQuery(ctx.query);
  const page = await ctx.manifests.catalog(n, last, ctx.signal);
  if (page.next !== undefined && n !== undefined) ctx.reply.header('Link', nextLink('/v2/_catalog', n, page.next));
  await ctx.reply.header('Content-Type', 'application/json').send(Buffer.from(JSON.stringify({ repositories: page.items })));
}

export async function referrers(ctx: RouteContext, name: string, digest: string): Promise<void> {
  const artifactType = ctx.query.get('artifactType') ?? undefined;
  const index = await ctx.manifests.referrers(name, digest, artifactType, ctx.signal);
  if (artifactType !== undefined) ctx.reply.header('OCI-Filters-Applied', 'artifactType');
  await ctx.reply.header('Content-Type', index.mediaType).send(Buffer.from(JSON.stringify(index)));
}
