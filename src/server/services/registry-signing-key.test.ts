import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistrySigningKey } from './registry-signing-key.js';

describe('loadRegistrySigningKey', () => {
  it('creates a 0600 RSA key and a self-signed certificate for it once, then reuses both', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-key-'));
    try {
      const first = await loadRegistrySigningKey(path.join(dir, 'k'));
      expect((await stat(first.keyPath)).mode & 0o777).toBe(0o600);
      expect(first.privateKey.asymmetricKeyType).toBe('rsa');
      const cert = new X509Certificate(first.certificatePem);
      expect(cert.checkPrivateKey(first.privateKey)).toBe(true);
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(Buffer.from(first.certificateDer, 'base64').equals(cert.raw)).toBe(true);
      const again = await loadRegistrySigningKey(path.join(dir, 'k'));
      expect(again.certificatePem).toBe(first.certificatePem);
      expect(again.privateKey.export({ type: 'pkcs8', format: 'pem' })).toBe(first.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
