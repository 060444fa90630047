// config.toml reload: gitlab-runner re-reads its file about every 3 s when it changed (and on SIGHUP).
import { stat } from 'node:fs/promises';
import { sleep } from '../network/http-retry.js';

export const RELOAD_CONFIG_INTERVAL_MS = 3000;

/** Calls onChange whenever the file's mtime or size changes; resolves when `signal` fires. */
export async function watchConfig(path: string, onChange: () => void, signal: AbortSignal, intervalMs = RELOAD_CONFIG_INTERVAL_MS): Promise<void> {
  const fingerprint = async (): Promise<string> => stat(path).then((s) => `${s.mtimeMs}:${s.size}`, () => 'missing');
  let last = await fingerprint();
  while (!signal.aborted) {
    try {
      await sleep(intervalMs, signal);
    } catch {
      return;
    }
    const now = await fingerprint();
    if (now !== last) {
      last = now;
      onChange();
    }
  }
}
