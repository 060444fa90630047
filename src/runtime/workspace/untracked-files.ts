// `untracked: true` of artifacts and caches: the files git does not track, ignored ones included
// (gitlab-runner lists them with `git ls-files -o`).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export async function untrackedFiles(projectDir: string, signal: AbortSignal): Promise<string[]> {
  const { stdout } = await execFileAsync('git', ['ls-files', '--others', '-z'], { cwd: projectDir, signal, maxBuffer: 64 * 1024 * 1024 })
    .catch(() => ({ stdout: '' }));
  return stdout.split('\0').filter((s) => s !== '');
}

/** `when:` of a cache or artifact against the job's outcome so far. */
export function whenMatches(when: string, outcome: 'success' | 'failed'): boolean {
  return when === 'always' || (when === 'on_success' && outcome === 'success') || (when === 'on_failure' && outcome === 'failed');
}
