// The cyan line GitLab prints under each stage's section_start (gitlab-runner GetStageDescription).
// Keys are executor.ts BuildStage names (script/ may not import executor.ts).
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  prepare_script: 'Preparing environment',
  get_sources: 'Getting source from Git repository',
  restore_cache: 'Restoring cache',
  download_artifacts: 'Downloading artifacts',
  after_script: 'Running after_script',
  archive_cache: 'Saving cache for successful job',
  archive_cache_on_failure: 'Saving cache for failed job',
  upload_artifacts_on_success: 'Uploading artifacts for successful job',
  upload_artifacts_on_failure: 'Uploading artifacts for failed job',
  cleanup_file_variables: 'Cleaning up project directory and file based variables',
};

export function stageDescription(stage: string, executorName = 'shell'): string {
  if (stage === 'prepare_executor') return `Preparing the "${executorName}" executor`;
  return DESCRIPTIONS[stage] ?? `Executing "${stage}" stage of the job script`;
}

/** ANSI codes gitlab-runner uses (helpers/ansi_colors.go). */
export const ANSI = {
  boldGreen: '\x1b[32;1m',
  boldCyan: '\x1b[36;1m',
  boldRed: '\x1b[31;1m',
  yellow: '\x1b[0;33m',
  reset: '\x1b[0;m',
  clear: '\x1b[0K',
} as const;

/** `section_start:<ts>:<name>\r\e[0K` (written by the runtime around stages, or by the script). */
export function sectionStart(name: string, unixSeconds: number): string {
  return `section_start:${unixSeconds}:${name}\r${ANSI.clear}`;
}

export function sectionEnd(name: string, unixSeconds: number): string {
  return `section_end:${unixSeconds}:${name}\r${ANSI.clear}`;
}
