// Secret tokens: random, prefixed like GitLab's (glpat-, glrt-, glcbt-, GR1348941), stored only as
// SHA-256 digests (they carry 160+ bits of randomness, so a fast digest is enough).
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = {
  personalAccess: 'glpat-',
  /** Runners registered with a registration token get the partition prefix only (t1 = instance). */
  runner: 't1_',
  job: 'glcbt-',
  registration: 'GR1348941',
} as const;

export function newToken(prefix: string): string {
  return prefix + randomBytes(20).toString('base64url');
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
