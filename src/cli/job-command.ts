// `drydock job log [-f] | retry | cancel | play` against a running server, plus the options and
// error reporting the pipeline commands share (--url/DRYDOCK_URL, --token/DRYDOCK_TOKEN,
// --project/DRYDOCK_PROJECT, --json).
// `job log -f` follows the live log (SSE) until the job ends; its exit code tells how it ended:
// 0 success, 1 failed (or the server refused / could not be reached), 2 bad usage, 3 canceled or skipped.
import type { Command } from 'commander';
import type { TraceEvent } from '../client/drydock-client.js';
import { FINAL_STATUSES } from '../client/rest-types.js';
import { ClientError } from '../client/client-error.js';
import { DrydockClient } from '../client/drydock-client.js';

export interface ClientFlags {
  url?: string;
  token?: string;
  project?: string;
  json?: boolean;
}

export class UsageError extends Error {}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Adds --url, --token, --project and --json to `cmd`. */
export function withClientOptions(cmd: Command, project = true): Command {
  cmd
    .option('--url <url>', `server URL (default: $DRYDOCK_URL or ${DEFAULT_URL})`)
    .option('--token <token>', 'personal access token (default: $DRYDOCK_TOKEN)')
    .option('--json', 'print the server\'s JSON instead of text');
  if (project) cmd.option('--project <id|group/name>', 'the project, by id or path (default: $DRYDOCK_PROJECT)');
  return cmd;
}

export function clientFrom(flags: ClientFlags): DrydockClient {
  const url = flags.url ?? process.env.DRYDOCK_URL ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url ${url}: expected an http:// or https:// URL`);
  const token = flags.token ?? process.env.DRYDOCK_TOKEN;
  if (!token) throw new UsageError('no token: pass --token or set DRYDOCK_TOKEN to a personal access token');
  return new DrydockClient({ url, token });
}

export function projectFrom(flags: ClientFlags): string {
  const project = flags.project ?? process.env.DRYDOCK_PROJECT;
  if (!project) throw new UsageError('no project: pass --project ID or --project GROUP/NAME (or set DRYDOCK_PROJECT)');
  if (!/^\d+$/.test(project) && !/^[^/\s]+(\/[^/\s]+)+$/.test(project)) {
    throw new UsageError(`--project ${project}: expected a numeric id or GROUP/NAME`);
  }
  return project;
}

export function idArgument(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} ${text}: expected a numeric id`);
  return Number(text);
}

/**
 * Runs a command body: usage errors exit 2, server/client errors 1 (one line on stderr, never a
 * stack trace); otherwise the body's exit code.
 */
export async function runClientCommand(name: string, setExitCode: (code: number) => void, body: () => Promise<number>): Promise<void> {
  try {
    setExitCode(await body());
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`drydock ${name}: ${err.message}\n`);
      setExitCode(2);
    } else if (err instanceof ClientError) {
      process.stderr.write(`drydock ${name}: ${err.message}\n`);
      setExitCode(1);
    } else {
      throw err;
    }
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

interface LogFlags extends ClientFlags {
  follow?: boolean;
}

/** Exit code of `job log -f` for a job that ended in `status`. */
export function exitCodeForStatus(status: string): number {
  if (status === 'success') return 0;
  if (status === 'failed') return 1;
  return 3;
}

export function registerJobCommands(program: Command, setExitCode: (code: number) => void): void {
  const job = program.command('job').description('read logs of jobs and retry, cancel or play them on a drydock server');

  withClientOptions(job.command('log').description('print a job\'s log; with -f follow it live until the job ends').argument('<job-id>'))
    .option('-f, --follow', 'keep printing new output until the job finishes; the exit code tells how it ended')
    .action((id: string, flags: LogFlags) => runClientCommand('job log', setExitCode, async () => {
      const jobId = idArgument(id, 'job');
      const client = clientFrom(flags);
      const project = projectFrom(flags);
      if (!flags.follow) {
        const [info, trace] = await Promise.all([client.getJob(project, jobId), client.jobTrace(project, jobId)]);
        if (flags.json) printJson({ id: info.id, name: info.name, status: info.status, trace });
        else process.stdout.write(trace);
        return 0;
      }
      return followLog(client, project, jobId, flags.json === true);
    }));

  const actions = { retry: 'run a finished job again (a new job)', cancel: 'cancel a job', play: 'start a manual or delayed job now' } as const;
  for (const action of ['retry', 'cancel', 'play'] as const) {
    withClientOptions(job.command(action).description(actions[action]).argument('<job-id>'))
      .action((id: string, flags: ClientFlags) => runClientCommand(`job ${action}`, setExitCode, async () => {
        const jobId = idArgument(id, 'job');
        const client = clientFrom(flags);
        const j = await client.jobAction(projectFrom(flags), jobId, action);
        if (flags.json) printJson(j);
        else process.stdout.write(`job ${j.id} (${j.name}): ${j.status}\n`);
        return 0;
      }));
  }
}

async function followLog(client: ReturnType<typeof clientFrom>, project: string, jobId: number, json: boolean): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  let status: string | undefined;
  try {
    for await (const event of client.streamJobTrace(project, jobId, 0, abort.signal)) {
      if (json) process.stdout.write(`${JSON.stringify(eventJson(event))}\n`);
      else if (event.type === 'append') process.stdout.write(event.text);
      if (event.type === 'status') {
        status = event.status;
        const hint = status === 'manual' ? `is manual: waiting until someone plays it (drydock job play ${jobId})`
          : status === 'scheduled' ? `is delayed: waiting for its start time (drydock job play ${jobId} starts it now)` : undefined;
        if (hint && !json) process.stderr.write(`drydock job log: job ${jobId} ${hint}\n`);
      }
    }
  } catch (err) {
    if (abort.signal.aborted) return 130;
    throw err;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  if (abort.signal.aborted) return 130;
  if (status === undefined || !FINAL_STATUSES.includes(status)) {
    process.stderr.write(`drydock job log: the live log of job ${jobId} ended before the job finished (status ${status ?? 'unknown'})\n`);
    return 1;
  }
  if (!json && status !== 'success') process.stderr.write(`drydock job log: job ${jobId} ${status}\n`);
  return exitCodeForStatus(status);
}

function eventJson(e: TraceEvent): Record<string, unknown> {
  switch (e.type) {
    case 'append': return { event: 'append', offset: e.offset, text: e.text };
    case 'status': return { event: 'status', status: e.status, finished_at: e.finishedAt };
    case 'end': return { event: 'end' };
  }
}
