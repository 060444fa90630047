// What the compiler needs to know about the pipeline being created (who pushed what, where).

export type PipelineSource =
  | 'push' | 'web' | 'schedule' | 'api' | 'trigger' | 'pipeline' | 'parent_pipeline'
  | 'merge_request_event' | 'external_pull_request_event' | 'chat' | 'webide' | 'external';

/** A read-only view of the repository at the pipeline's commit, for `exists`, `changes`, `cache:key:files`. */
export interface RepoView {
  /** Every file path (relative, `/`-separated) in the commit's tree. */
  listFiles(): readonly string[];
  /** Files changed by the push; `undefined` means "unknown" (new branch, tag, web...), where `changes` is true. */
  changedFiles(): readonly string[] | undefined;
}

export interface CompileContext {
  /** Branch or tag name. */
  ref: string;
  refType: 'branch' | 'tag';
  source: PipelineSource;
  sha: string;
  defaultBranch: string;
  /**
   * Variables visible at pipeline creation (predefined pre-pipeline ones such as CI_COMMIT_BRANCH,
   * project/instance variables, pipeline variables from --var), lowest precedence first.
   * Used by rules:if, only:variables, workflow and include rules, and expansion.
   */
  variables: Array<{ key: string; value: string; masked?: boolean; file?: boolean; raw?: boolean }>;
  repo: RepoView;
}
