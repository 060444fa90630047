// Job artifacts (server facts §1.10): the runner uploads with multipart field `file` and query
// artifact_type/artifact_format/expire_in; jobs download their dependencies' archives with their
// own JOB-TOKEN; people download with PRIVATE-TOKEN.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { parseExpireIn } from '../../shared/duration.js';
import { ArtifactTooLargeError, type ArtifactFiles } from '../artifacts/artifact-files.js';
import { DOTENV_MAX_BYTES, parseDotenvReport, readSmallUpload } from '../services/dotenv-report.js';
import { authenticateJob } from '../services/job-updates.js';
import type { ServerContext } from '../services/server-context.js';
import { tokenDigest } from '../services/tokens.js';
import type { DotenvVariable, JobRecord } from '../store/store.js';
import { readableProject } from './project-access.js';
import { headerValue } from './request-auth.js';

const ARTIFACT_TYPE = /^[a-z_]+$/;

export async function registerArtifactRoutes(app: FastifyInstance, ctx: ServerContext, files: ArtifactFiles, maxBytes: number): Promise<void> {
  await app.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 10 } });

  app.post<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/api/v4/jobs/:id/artifacts', async (req, reply) => {
    const auth = await authenticateJob(ctx, Number(req.params.id), headerValue(req, 'job-token') ?? req.query.token);
    if (!auth.ok) return reply.code(403).send({ message: auth.message });
    const fileType = req.query.artifact_type ?? 'archive';
    if (!ARTIFACT_TYPE.test(fileType)) return reply.code(400).send({ message: `400 Bad request - unknown artifact_type ${fileType}` });
    const fileFormat = req.query.artifact_format ?? (fileType === 'archive' ? 'zip' : 'raw');
    const expire = req.query.expire_in ? parseExpireIn(req.query.expire_in) : undefined;
    if (req.query.expire_in && expire === undefined) return reply.code(400).send({ message: `400 Bad request - expire_in ${req.query.expire_in} is not a duration` });
    if (!req.isMultipart()) return reply.code(400).send({ message: '400 Bad request - expected multipart/form-data with a file field' });
    let saved: { filename: string; size: number } | undefined;
    let dotenv: DotenvVariable[] | undefined;
    for await (const part of req.parts()) {
      if (part.type !== 'file' || part.fieldname !== 'file' || saved) {
        if (part.type === 'file') part.file.resume();
        continue;
      }
      let data: Readable = part.file;
      if (fileType === 'dotenv') {
        // GitLab parses a dotenv report before storing it: a bad one is refused and not kept.
        const bytes = await readSmallUpload(part.file, DOTENV_MAX_BYTES);
        const parsed = bytes ? parseDotenvReport(bytes, fileFormat) : undefined;
        if (!bytes || !parsed) return reply.code(400).send({ message: `Dotenv Artifact Too Big. Maximum Allowable Size: ${DOTENV_MAX_BYTES}` });
        if (!parsed.ok) return reply.code(400).send({ message: parsed.message });
        dotenv = parsed.variables;
        data = Readable.from([bytes]);
      }
      let size: number;
      try {
        size = await files.save(auth.job.id, fileType, data, () => part.file.truncated, ctx.signal);
      } catch (err) {
        if (err instanceof ArtifactTooLargeError) return reply.code(413).send({ message: '413 Request Entity Too Large' });
        throw err;
      }
      saved = { filename: part.filename || `${fileType}.${fileFormat}`, size };
    }
    if (!saved) return reply.code(400).send({ message: '400 Bad request - file is missing' });
    const expireAt = typeof expire === 'number' ? new Date(Date.now() + expire * 1000).toISOString() : null;
    await ctx.store.putArtifact({ jobId: auth.job.id, fileType, fileFormat, filename: saved.filename, size: saved.size, expireAt }, dotenv);
    ctx.log.info({ jobId: auth.job.id, fileType, size: saved.size, ...(dotenv && { dotenvVariables: dotenv.length }) }, 'artifact uploaded');
    return reply.code(201).send({});
  });

  // A running job downloads the archive of a job of the same project (its dependency).
  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>('/api/v4/jobs/:id/artifacts', async (req, reply) => {
    const token = headerValue(req, 'job-token') ?? req.query.token;
    const caller = token ? await ctx.store.jobByTokenDigest(tokenDigest(token)) : undefined;
    if (!caller || !['running', 'canceling'].includes(caller.status)) return reply.code(403).send({ message: '403 Forbidden' });
    const job = await ctx.store.jobById(Number(req.params.id));
    if (!job || job.projectId !== caller.projectId) return reply.code(403).send({ message: '403 Forbidden' });
    return sendArchive(reply, job);
  });

  app.get<{ Params: { id: string; jid: string } }>('/api/v4/projects/:id/jobs/:jid/artifacts', async (req, reply) => {
    // People download a job's archive; a public project's without a token (GitLab's job artifacts API).
    const project = (await readableProject(ctx, req, reply, 'jobs'))?.project;
    if (!project) return reply;
    const job = /^\d+$/.test(req.params.jid) ? await ctx.store.jobById(Number(req.params.jid)) : undefined;
    if (!job || job.projectId !== project.id) return reply.code(404).send({ message: '404 Not found' });
    return sendArchive(reply, job);
  });

  async function sendArchive(reply: FastifyReply, job: JobRecord): Promise<FastifyReply> {
    const archive = (await ctx.store.artifactsOfJob(job.id)).find((a) => a.fileType === 'archive');
    if (!archive || (archive.expireAt !== null && Date.parse(archive.expireAt) < Date.now())) {
      return reply.code(404).send({ message: '404 Not Found' });
    }
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${archive.filename.replace(/"/g, '')}"`)
      .header('content-length', String(archive.size))
      .send(files.read(job.id, 'archive'));
  }
}
