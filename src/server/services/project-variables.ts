// Project CI/CD variables as job variables: protected ones only on protected refs (server facts §2.5).
import type { JobVariable } from '../../pipeline/spec/job-spec.js';
import type { PipelineVariable, Store, VariableRecord } from '../store/store.js';

export async function projectVariablesFor(store: Store, projectId: number, protectedRef: boolean): Promise<JobVariable[]> {
  const records = await store.listVariables(projectId);
  return records.filter((v) => protectedRef || !v.protected).map(asJobVariable);
}

export function pipelineVariableAsJobVariable(v: PipelineVariable): JobVariable {
  return { key: v.key, value: v.value, public: false, masked: false, file: v.variableType === 'file', raw: false };
}

export function asJobVariable(v: VariableRecord): JobVariable {
  return { key: v.key, value: v.value, public: false, masked: v.masked, file: v.variableType === 'file', raw: v.raw };
}
