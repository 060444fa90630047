// The runner's system id (`r_` + 12 characters), kept in `.runner_system_id` beside config.toml as
// gitlab-runner does. The server keeps one "runner manager" per (runner, system id); unregistering a
// runner created on the server (glrt- token) removes only this machine's manager.
import { randomInt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const SYSTEM_ID = /^[sr]_[0-9a-zA-Z]{12}$/;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function systemIdPath(configPath: string): string {
  return join(dirname(configPath), '.runner_system_id');
}

/** Reads the stored id, or creates and stores a random one. A file that cannot be written still gives an id. */
export async function loadOrCreateSystemId(configPath: string): Promise<string> {
  const file = systemIdPath(configPath);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (SYSTEM_ID.test(stored)) return stored;
  } catch {
    // Missing or unreadable: make a new one below.
  }
  const id = `r_${Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, `${id}\n`, { mode: 0o600 });
  } catch {
    // Read-only config directory: the id is then per run, which only costs an extra runner manager.
  }
  return id;
}
