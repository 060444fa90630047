// Trigger jobs (GitLab's bridges), shared by `drydock run` and the coordinator: what `trigger:`
// asks for, the configuration of a child pipeline from local includes, and the variables the
// trigger job hands down as the child's pipeline variables.
import type { JobSpec, JobVariable } from './job-spec.js';
import { resolveVariables, variablesAsWritten } from '../variables/resolve-variables.js';

/** A variable as the child's context takes it. */
export interface PlainVariable { key: string; value: string; raw?: boolean }

/** `trigger:include` entries: local files, or a file from an earlier job's artifacts (dynamic child pipelines). */
export type ChildInclude = { local: string } | { artifact: string; job: string };

export type TriggerKind = { kind: 'child'; includes: ChildInclude[]; depend: boolean; forwardYaml: boolean; forwardPipeline: boolean } | { kind: 'project'; project: string; branch?: string; depend: boolean; forwardYaml: boolean; forwardPipeline: boolean } | { kind: 'invalid'; message: string };

export function triggerKind(trigger: Readonly<Record<string, unknown>>): TriggerKind {
  const depend = trigger['strategy'] === 'depend';
  const forward = trigger['forward'];
  // GitLab's defaults: the trigger job's YAML variables go down, the pipeline's own (--var) do not.
  const forwardYaml = !(isRecord(forward) && forward['yaml_variables'] === false);
  const forwardPipeline = isRecord(forward) && forward['pipeline_variables'] === true;
  if (trigger['include'] === undefined) {
    const project = trigger['project'];
    if (typeof project !== 'string') return { kind: 'invalid', message: 'trigger has neither include nor project' };
    const branch = trigger['branch'];
    return { kind: 'project', project, ...(typeof branch === 'string' && { branch }), depend, forwardYaml, forwardPipeline };
  }
  const raw = Array.isArray(trigger['include']) ? trigger['include'] : [trigger['include']];
  const includes: ChildInclude[] = [];
  for (const entry of raw as unknown[]) {
    if (typeof entry === 'string') includes.push({ local: entry });
    else if (isRecord(entry) && typeof entry['local'] === 'string') includes.push({ local: entry['local'] });
    else if (isRecord(entry) && typeof entry['artifact'] === 'string' && typeof entry['job'] === 'string') includes.push({ artifact: entry['artifact'], job: entry['job'] });
    else return { kind: 'invalid', message: `trigger:include ${JSON.stringify(entry)}: only local files and {artifact, job} are supported (project, template and remote includes are not)` };
  }
  return { kind: 'child', includes, depend, forwardYaml, forwardPipeline };
}

/**
 * What the trigger job forwards as the child's pipeline variables (GitLab's bridge downstream
 * variables): its YAML variables expanded from their text with its dependencies' dotenv values in
 * the collection (bridges see dotenv reports since GitLab 13.6), then those dotenv variables
 * themselves, which rank above YAML ones.
 */
export function downstreamVariables(trigger: JobSpec, dotenv: readonly PlainVariable[], parent: readonly PlainVariable[]): PlainVariable[] {
  const asJob = (v: PlainVariable): JobVariable => ({ key: v.key, value: v.value, public: true, masked: false, file: false, raw: v.raw ?? false });
  const own = resolveVariables(variablesAsWritten(trigger.variables), { before: parent.map(asJob), after: dotenv.map(asJob) }).variables;
  return [...own, ...dotenv].map((v) => ({ key: v.key, value: v.value, ...(v.raw ? { raw: true } : {}) }));
}

/**
 * The child configuration of local includes: one file is compiled as itself; several are merged
 * through an include list, as GitLab does.
 */
export function localChildConfig(includes: readonly ChildInclude[], triggerName: string): { file: string; content?: string } {
  const locals = includes.map((x) => (x as { local: string }).local.replace(/^\/+/, ''));
  if (locals.length === 1) return { file: locals[0] as string };
  return { file: `trigger:include of ${triggerName}`, content: `include:\n${locals.map((l) => `  - local: ${JSON.stringify(l)}`).join('\n')}\n` };
}

/**
 * The status a `strategy: depend` trigger job takes from its downstream pipeline's final status
 * (undefined: the pipeline was not created).
 */
export function dependResult(downstream: string | undefined): 'success' | 'canceled' | 'failed' {
  if (downstream === 'success' || downstream === 'skipped' || downstream === 'blocked') return 'success';
  return downstream === 'canceled' ? 'canceled' : 'failed';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
