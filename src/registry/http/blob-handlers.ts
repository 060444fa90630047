// Blob reads and the upload flows: monolithic (POST ?digest, or POST then PUT), chunked and
// resumable (PATCH with Content-Range, GET for the status, PUT ?digest to close), cross-repository
// mount (POST ?mount&from), cancel and delete.
import { parseDigest, tryParseDigest } from '../digest.js';
import { RegistryError, uploadRangeHeader } from '../errors.js';
import { isRepositoryName } from '../reference.js';
import type { ByteRange, UploadInfo } from '../storage/registry-storage.js';
import { parseChunkRange, parseRangeHeader } from './http-ranges.js';
import { hasBody } from './request-body.js';
import { blobLocation, uploadLocation, type RouteContext } from './route-context.js';
import { sendBlob } from './send-blob.js';

export async function getBlob(ctx: RouteContext, name: string, digest: string, head: boolean): Promise<void> {
  if (head) {
    const info = await ctx.blobs.stat(name, digest, ctx.signal);
    blobHeaders(ctx, info.digest, info.size, parseRangeHeader(ctx.request.headers.range, info.size));
    await ctx.reply.send();
    return;
  }
  const reader = await ctx.blobs.reader(name, digest, ctx.signal);
  let range: ByteRange | undefined;
  try {
    range = parseRangeHeader(ctx.request.headers.range, reader.size);
  } catch (error) {
    await reader.close();
    throw error;
  }
  blobHeaders(ctx, digest, reader.size, range);
  await sendBlob(ctx.reply, reader, range, ctx.signal);
}

/** Status and headers of a blob read (GET or HEAD), whole or one range of it. */
function blobHeaders(ctx: RouteContext, digest: string, size: number, range: ByteRange | undefined): void {
  const reply = ctx.reply
    .header('Content-Type', 'application/octet-stream')
    .header('Docker-Content-Digest', digest)
    .header('ETag', `"${digest}"`)
    .header('Accept-Ranges', 'bytes')
    .header('Cache-Control', 'max-age=31536000');
  if (range) reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  reply.header('Content-Length', String(range ? range.end - range.start + 1 : size));
}

export async function deleteBlob(ctx: RouteContext, name: string, digest: string): Promise<void> {
  await ctx.blobs.delete(name, digest, ctx.signal);
  await ctx.reply.code(202).header('Content-Length', '0').send();
}

export async function postUpload(ctx: RouteContext, name: string): Promise<void> {
  const mount = ctx.query.get('mount');
  const from = ctx.query.get('from');
  if (mount && from && tryParseDigest(mount) && isRepositoryName(from)) {
    // Mounting needs pull on the source; without it this is an ordinary upload (spec: 202).
    const allowed = await ctx.auth.authorize(ctx.request.headers, [{ type: 'repository', name: from, actions: ['pull'] }], ctx.signal);
    const mounted = allowed.ok ? await ctx.blobs.mount(name, mount, from, ctx.signal) : undefined;
    if (mounted) {
      await created(ctx, blobLocation(name, mounted.digest), mounted.digest);
      return;
    }
  }
  const digest = ctx.query.get('digest');
  if (digest !== null) {
    parseDigest(digest);
    const upload = await ctx.blobs.startUpload(name, ctx.signal);
    try {
      await ctx.blobs.append(name, upload.id, 0, ctx.request.raw, ctx.signal);
      const info = await ctx.blobs.complete(name, upload.id, digest, ctx.signal);
      await created(ctx, blobLocation(name, info.digest), info.digest);
    } catch (error) {
      await ctx.blobs.cancel(name, upload.id, ctx.signal).catch(() => undefined);
      throw error;
    }
    return;
  }
  const upload = await ctx.blobs.startUpload(name, ctx.signal);
  await uploadAccepted(ctx, name, upload, 202);
}

export async function getUploadStatus(ctx: RouteContext, name: string, id: string): Promise<void> {
  await uploadAccepted(ctx, name, await ctx.blobs.upload(name, id, ctx.signal), 204);
}

export async function patchUpload(ctx: RouteContext, name: string, id: string): Promise<void> {
  const current = await ctx.blobs.upload(name, id, ctx.signal);
  const range = parseChunkRange(header(ctx, 'content-range'), header(ctx, 'content-length'), current.size);
  const after = await ctx.blobs.append(name, id, range?.start ?? current.size, ctx.request.raw, ctx.signal);
  if (range && after.size !== range.end + 1) {
    throw new RegistryError('SIZE_INVALID', `chunk ended at byte ${after.size - 1}, Content-Range said ${range.end}`, { headers: { Range: uploadRangeHeader(after.size) } });
  }
  await uploadAccepted(ctx, name, after, 202);
}

export async function putUpload(ctx: RouteContext, name: string, id: string): Promise<void> {
  const digest = ctx.query.get('digest');
  if (!digest) throw new RegistryError('DIGEST_INVALID', 'closing an upload needs ?digest=<digest of the whole blob>');
  parseDigest(digest);
  const current = await ctx.blobs.upload(name, id, ctx.signal);
  if (hasBody(ctx.request.raw)) {
    const range = parseChunkRange(header(ctx, 'content-range'), header(ctx, 'content-length'), current.size);
    await ctx.blobs.append(name, id, range?.start ?? current.size, ctx.request.raw, ctx.signal);
  }
  const info = await ctx.blobs.complete(name, id, digest, ctx.signal);
  await created(ctx, blobLocation(name, info.digest), info.digest);
}

export async function deleteUpload(ctx: RouteContext, name: string, id: string): Promise<void> {
  await ctx.blobs.cancel(name, id, ctx.signal);
  await ctx.reply.code(204).send();
}

async function created(ctx: RouteContext, location: string, digest: string): Promise<void> {
  await ctx.reply.code(201).header('Location', location).header('Docker-Content-Digest', digest).header('Content-Length', '0').send();
}

async function uploadAccepted(ctx: RouteContext, name: string, upload: UploadInfo, status: 202 | 204): Promise<void> {
  const reply = ctx.reply
    .code(status)
    .header('Location', uploadLocation(name, upload.id))
    .header('Range', uploadRangeHeader(upload.size))
    .header('Docker-Upload-UUID', upload.id);
  if (status === 202) reply.header('Content-Length', '0');
  await reply.send();
}

function header(ctx: RouteContext, name: string): string | undefined {
  const value = ctx.request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
