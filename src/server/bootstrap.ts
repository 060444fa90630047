// First start: an admin user, their personal access token and the instance runner registration
// token. The secrets are shown once and written to <data>/initial-credentials.json (mode 0600);
// the store keeps only digests.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REGISTRATION_TOKEN_SETTING } from './http/runner-routes.js';
import { newToken, TOKEN_PREFIX, tokenDigest } from './services/tokens.js';
import type { Store } from './store/store.js';

export interface InitialCredentials {
  admin_username: string;
  admin_token: string;
  runner_registration_token: string;
}

export const CREDENTIALS_FILE = 'initial-credentials.json';

/** Creates the first credentials when the store has no user yet; undefined otherwise. */
export async function bootstrapCredentials(store: Store, dataDir: string): Promise<InitialCredentials | undefined> {
  if ((await store.countUsers()) > 0) return undefined;
  const creds: InitialCredentials = {
    admin_username: 'root',
    admin_token: newToken(TOKEN_PREFIX.personalAccess),
    runner_registration_token: newToken(TOKEN_PREFIX.registration),
  };
  // Written before the store commits, so a crash in between never leaves tokens nobody knows.
  await writeFile(path.join(dataDir, CREDENTIALS_FILE), `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  const admin = await store.createUser({ username: 'root', name: 'Administrator', email: 'admin@example.com', isAdmin: true });
  await store.addPersonalAccessToken(admin.id, 'initial', tokenDigest(creds.admin_token), ['api', 'read_repository', 'write_repository']);
  await store.setSetting(REGISTRATION_TOKEN_SETTING, tokenDigest(creds.runner_registration_token));
  return creds;
}
