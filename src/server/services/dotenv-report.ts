// artifacts:reports:dotenv on the server, as GitLab's Ci::ParseDotenvArtifactService does it: the
// report is parsed when the runner uploads it (a bad one is refused with 400 and not stored), and its
// variables go to the jobs that take the job's artifacts (`dependencies`, or `needs` with artifacts),
// ranked above YAML variables and below project and pipeline variables (server facts §2 precedence).
import { gunzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { JobVariable } from '../../pipeline/spec/job-spec.js';
import type { DotenvVariable, JobRecord } from '../store/store.js';
import type { ServerContext } from './server-context.js';

/** GitLab's default plan limits (plan_limits.dotenv_size / dotenv_variables). */
export const DOTENV_MAX_BYTES = 5 * 1024;
export const DOTENV_MAX_VARIABLES = 20;
/** Guards against a small gzip that inflates to something huge. */
const MAX_INFLATED_BYTES = 1024 * 1024;
/** Ci::HasVariable: key presence, length and characters. */
const KEY = /^[a-zA-Z0-9_]+$/;
const MAX_KEY_LENGTH = 255;

export type DotenvResult = { ok: true; variables: DotenvVariable[] } | { ok: false; message: string };

/**
 * The variables of one uploaded report (`format` gzip, GitLab's default for dotenv, or raw).
 * GitLab's rules: every line is KEY=VALUE (no blank lines, no comments), key and value are trimmed,
 * quotes are kept, a repeated key keeps its first place and takes the last value.
 */
export function parseDotenvReport(data: Buffer, format: string): DotenvResult {
  if (data.length >= DOTENV_MAX_BYTES) return { ok: false, message: `Dotenv Artifact Too Big. Maximum Allowable Size: ${DOTENV_MAX_BYTES}` };
  let text: string;
  try {
    if (format === 'gzip') text = gunzipSync(data, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
    else if (format === 'raw') text = data.toString('utf8');
    else return { ok: false, message: `Dotenv report format ${format} is not supported: upload it as gzip or raw` };
  } catch (err) {
    return { ok: false, message: `Dotenv report is not valid ${format}: ${(err as Error).message}` };
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const byKey = new Map<string, string>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [i, raw] of lines.entries()) {
    const eq = raw.indexOf('=');
    const where = `(dotenv line ${i + 1})`;
    if (eq < 0) return { ok: false, message: `Invalid Format ${where}: expected KEY=VALUE; blank lines and comments are not allowed` };
    const key = raw.slice(0, eq).trim();
    const value = raw.slice(eq + 1).trim();
    if (key === '') return { ok: false, message: `Validation failed: Key can't be blank ${where}` };
    if (key.length > MAX_KEY_LENGTH) return { ok: false, message: `Validation failed: Key is too long (maximum is ${MAX_KEY_LENGTH} characters) ${where}` };
    if (!KEY.test(key)) return { ok: false, message: `Validation failed: Key can contain only letters, digits and '_'. ${where}` };
    byKey.set(key, value);
  }
  if (byKey.size > DOTENV_MAX_VARIABLES) return { ok: false, message: `Dotenv files cannot have more than ${DOTENV_MAX_VARIABLES} variables` };
  return { ok: true, variables: [...byKey].map(([key, value]) => ({ key, value })) };
}

/** Reads an upload up to `max` bytes; undefined (the rest drained) when it is larger. */
export async function readSmallUpload(stream: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    size += b.length;
    if (size <= max) chunks.push(b);
  }
  return size <= max ? Buffer.concat(chunks) : undefined;
}

/** The dotenv variables `job` inherits from the jobs whose artifacts it takes, in dependency order. */
export async function dependencyDotenvVariables(ctx: ServerContext, job: JobRecord): Promise<JobVariable[]> {
  if (job.spec.dependencies.length === 0) return [];
  const jobs = (await ctx.store.jobsOfPipeline(job.pipelineId)).filter((j) => !j.retried);
  const out: JobVariable[] = [];
  for (const name of job.spec.dependencies) {
    const dep = jobs.find((j) => j.name === name);
    if (!dep) continue;
    // Not public (GitLab's Ci::JobVariable); expanded like any variable (raw: false).
    for (const v of await ctx.store.dotenvVariables(dep.id)) out.push({ key: v.key, value: v.value, public: false, masked: false, file: false, raw: false });
  }
  return out;
}
