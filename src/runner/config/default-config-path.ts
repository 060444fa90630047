// Where config.toml lives when --config is not given, mirroring gitlab-runner
// (/etc/gitlab-runner/config.toml as root, ~/.gitlab-runner/config.toml otherwise, ./config.toml
// when there is no home directory).
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ConfigPathContext {
  /** Effective user id; undefined on platforms without one (Windows). */
  uid?: number;
  /** Home directory; empty when unknown. */
  home?: string;
  /** Working directory, for the last resort. */
  cwd?: string;
}

export function defaultConfigPath(context: ConfigPathContext = currentProcess()): string {
  if (context.uid === 0) return '/etc/drydock/config.toml';
  if (context.home) return join(context.home, '.drydock', 'config.toml');
  return join(context.cwd ?? '.', 'config.toml');
}

function currentProcess(): ConfigPathContext {
  let home = '';
  try {
    home = homedir();
  } catch {
    // No passwd entry and no $HOME: fall back to the working directory.
  }
  return { uid: process.getuid?.(), home, cwd: process.cwd() };
}
