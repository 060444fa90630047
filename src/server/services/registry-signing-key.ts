// The registry token-signing key: generated on the first start, kept in the data directory (0600)
// with a self-signed certificate beside it. The certificate is what an external distribution
// registry needs as `auth.token.rootcertbundle` to trust the tokens this server issues.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { certificateDerBase64, selfSignedCertificate } from '../../registry/index.js';

export interface RegistrySigningKey {
  privateKey: KeyObject;
  /** PEM of the self-signed certificate holding the public key. */
  certificatePem: string;
  /** Base64 DER of the certificate (the JWT `x5c` header). */
  certificateDer: string;
  keyPath: string;
  certificatePath: string;
}

/** What /jwt/auth signs with and writes into every token. */
export interface RegistryTokenIssuer {
  key: RegistrySigningKey;
  service: string;
  issuer: string;
  expiresInSeconds: number;
}

export const SIGNING_KEY_FILE = 'token-signing-key.pem';
export const SIGNING_CERT_FILE = 'token-signing-cert.pem';

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode });
  await chmod(temp, mode);
  await rename(temp, file);
}

/** Loads the key pair under `dir`, creating both files on first use. */
export async function loadRegistrySigningKey(dir: string): Promise<RegistrySigningKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = path.join(dir, SIGNING_KEY_FILE);
  const certificatePath = path.join(dir, SIGNING_CERT_FILE);
  let keyPem = await readIfPresent(keyPath);
  let certificatePem = await readIfPresent(certificatePath);
  if (keyPem === undefined) {
    // RSA as GitLab uses: every registry generation accepts RS256.
    keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeAtomic(keyPath, keyPem, 0o600);
    certificatePem = undefined; // a new key needs a new certificate
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (err) {
    throw new Error(`${keyPath}: not a readable private key (${(err as Error).message}); move it away to generate a new one`);
  }
  if (certificatePem === undefined) {
    certificatePem = selfSignedCertificate({ privateKey, commonName: 'drydock registry token issuer' });
    await writeAtomic(certificatePath, certificatePem, 0o644);
  }
  return { privateKey, certificatePem, certificateDer: certificateDerBase64(certificatePem), keyPath, certificatePath };
}
