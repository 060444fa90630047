// [[runners]] scripts → the runtime's RunnerHooks. The deprecated pre/post_clone_script names
// count only when the new ones are unset (gitlab-runner's GetPreGetSourcesScript).
import type { RunnerHooks } from '../../runtime/types.js';
import type { RunnerEntry } from './schema.js';

type HookFields = Pick<RunnerEntry, 'pre_get_sources_script' | 'post_get_sources_script' | 'pre_clone_script' | 'post_clone_script' | 'pre_build_script' | 'post_build_script'>;

export function runnerHooks(entry: HookFields): RunnerHooks {
  const hooks: RunnerHooks = {};
  const preGetSources = entry.pre_get_sources_script || entry.pre_clone_script;
  const postGetSources = entry.post_get_sources_script || entry.post_clone_script;
  if (preGetSources) hooks.preGetSourcesScript = preGetSources;
  if (postGetSources) hooks.postGetSourcesScript = postGetSources;
  if (entry.pre_build_script) hooks.preBuildScript = entry.pre_build_script;
  if (entry.post_build_script) hooks.postBuildScript = entry.post_build_script;
  return hooks;
}
