// `drydock pipeline list|show|cancel|retry` against a running server (GitLab REST v4), and the
// `job` commands (job-command.ts) loaded with them. Exit codes: 0 done, 1 the server refused or
// could not be reached, 2 bad usage.
import type { Command } from 'commander';
import type { Job, Pipeline } from '../client/rest-types.js';
import type { CommandRegistrar } from './command-registrar.js';
import {
  clientFrom, idArgument, printJson, projectFrom, registerJobCommands, runClientCommand, UsageError, withClientOptions, type ClientFlags,
} from './job-command.js';

interface ListFlags extends ClientFlags {
  ref?: string;
  status?: string;
  perPage?: string;
}

const PIPELINE_STATUSES = ['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'success', 'failed', 'canceled', 'skipped', 'manual', 'scheduled'];

const register: CommandRegistrar = (program, setExitCode) => {
  registerPipelineCommands(program, setExitCode);
  registerJobCommands(program, setExitCode);
};
export default register;

function registerPipelineCommands(program: Command, setExitCode: (code: number) => void): void {
  const pipeline = program.command('pipeline').description('list, show, cancel and retry pipelines on a drydock server');

  withClientOptions(pipeline.command('list').description('list the pipelines of a project, newest first'))
    .option('--ref <ref>', 'only pipelines of this branch or tag')
    .option('--status <status>', `only pipelines in this status (${PIPELINE_STATUSES.join(', ')})`)
    .option('--per-page <n>', 'how many to list (1-100)', '20')
    .action((flags: ListFlags) => runClientCommand('pipeline list', setExitCode, async () => {
      if (flags.status !== undefined && !PIPELINE_STATUSES.includes(flags.status)) {
        throw new UsageError(`--status ${flags.status}: expected one of ${PIPELINE_STATUSES.join(', ')}`);
      }
      const perPage = Number(flags.perPage ?? '20');
      if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw new UsageError(`--per-page ${flags.perPage}: expected 1-100`);
      const client = clientFrom(flags);
      const list = await client.listPipelines(projectFrom(flags), {
        ...(flags.ref !== undefined && { ref: flags.ref }), ...(flags.status !== undefined && { status: flags.status }), perPage,
      });
      if (flags.json) printJson(list);
      else process.stdout.write(pipelineTable(list));
      return 0;
    }));

  withClientOptions(pipeline.command('show').description('show a pipeline and its jobs').argument('<pipeline-id>'))
    .action((id: string, flags: ClientFlags) => runClientCommand('pipeline show', setExitCode, async () => {
      const pid = idArgument(id, 'pipeline');
      const client = clientFrom(flags);
      const project = projectFrom(flags);
      const [p, builds, bridges] = await Promise.all([client.getPipeline(project, pid), client.pipelineJobs(project, pid), client.pipelineBridges(project, pid)]);
      const jobs = [...builds, ...bridges];
      if (flags.json) printJson({ ...p, jobs });
      else process.stdout.write(pipelineDetail(p, jobs));
      return 0;
    }));

  for (const action of ['cancel', 'retry'] as const) {
    withClientOptions(pipeline.command(action).description(action === 'cancel'
      ? 'cancel every unfinished job of a pipeline' : 'retry the failed and canceled jobs of a pipeline').argument('<pipeline-id>'))
      .action((id: string, flags: ClientFlags) => runClientCommand(`pipeline ${action}`, setExitCode, async () => {
        const pid = idArgument(id, 'pipeline');
        const client = clientFrom(flags);
        const project = projectFrom(flags);
        const p = action === 'cancel' ? await client.cancelPipeline(project, pid) : await client.retryPipeline(project, pid);
        if (flags.json) printJson(p);
        else process.stdout.write(`pipeline ${p.id}: ${p.status}\n`);
        return 0;
      }));
  }
}

function pipelineTable(list: readonly Pipeline[]): string {
  if (list.length === 0) return 'no pipelines\n';
  const rows = list.map((p) => [String(p.id), `#${p.iid ?? ''}`, p.status, p.ref, p.sha.slice(0, 8), p.source ?? '', p.created_at ?? '']);
  return table(['ID', 'IID', 'STATUS', 'REF', 'SHA', 'SOURCE', 'CREATED'], rows);
}

function pipelineDetail(p: Pipeline, jobs: readonly Job[]): string {
  const lines = [
    `pipeline ${p.id} (#${p.iid ?? ''}) ${p.status}`,
    `  ref ${p.ref} at ${p.sha.slice(0, 8)}, source ${p.source ?? 'unknown'}`,
  ];
  if (p.duration != null) lines.push(`  duration ${p.duration.toFixed(1)}s`);
  if (p.yaml_errors) lines.push(`  configuration errors:\n    ${p.yaml_errors.split('\n').join('\n    ')}`);
  if (p.web_url) lines.push(`  ${p.web_url}`);
  lines.push('');
  if (jobs.length > 0) {
    lines.push(table(['JOB', 'STAGE', 'NAME', 'STATUS', 'DURATION'], [...jobs].sort((a, b) => a.id - b.id).map((j) => [
      String(j.id), j.stage, j.name,
      j.status + (j.status === 'failed' && j.allow_failure ? ' (allowed)' : '') + (j.failure_reason ? ` (${j.failure_reason})` : '')
        + (j.scheduled_at ? ` at ${j.scheduled_at}` : '') + (j.downstream_pipeline ? ` → pipeline ${j.downstream_pipeline.id} ${j.downstream_pipeline.status}` : ''),
      j.duration != null ? `${j.duration.toFixed(1)}s` : '',
    ])).trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
