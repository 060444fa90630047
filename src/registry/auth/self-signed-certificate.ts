// A minimal self-signed X.509 v3 certificate for a token-signing key. Distribution's
// `auth.token.rootcertbundle` only accepts certificates, and Node can sign but not build them,
// so the DER is assembled here: subject = issuer = CN, the key's SPKI, a SHA-256 signature.
import { createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

export interface SelfSignedCertificateOptions {
  privateKey: KeyObject;
  commonName: string;
  /** Default: now − 1 day (clock skew). */
  notBefore?: Date;
  /** Default: notBefore + 10 years. */
  notAfter?: Date;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...c: Buffer[]): Buffer => tlv(0x30, ...c);

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** GeneralizedTime after 2049, UTCTime before, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() >= 2050 ? tlv(0x18, Buffer.from(`${iso}Z`)) : tlv(0x17, Buffer.from(`${iso.slice(2)}Z`));
}

function signatureAlgorithm(key: KeyObject): { der: Buffer; hash: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { der: sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00])), hash: 'sha256' };
    case 'ec':
      return { der: sequence(oid('1.2.840.10045.4.3.2')), hash: 'sha256' };
    case 'ed25519':
      return { der: sequence(oid('1.3.101.112')), hash: null };
    default:
      throw new Error(`cannot make a certificate for a ${String(key.asymmetricKeyType)} key: use RSA, EC P-256 or Ed25519`);
  }
}

/**
 * The content octets of a DER INTEGER serial from random bytes: positive (top bit clear) and minimal
 * (no leading zero octet, which DER forbids: a 0x00 first byte made about 1 certificate in 256 invalid).
 */
export function serialNumber(random: Buffer): Buffer {
  const serial = Buffer.from(random);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial;
}

/** Returns the certificate as PEM. */
export function selfSignedCertificate(options: SelfSignedCertificateOptions): string {
  const notBefore = options.notBefore ?? new Date(Date.now() - 24 * 3600_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 10 * 365 * 24 * 3600_000);
  const serial = serialNumber(randomBytes(16));
  const name = sequence(tlv(0x31, sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(options.commonName, 'utf8')))));
  const spki = createPublicKey(options.privateKey).export({ type: 'spki', format: 'der' });
  const algorithm = signatureAlgorithm(options.privateKey);
  const tbs = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    algorithm.der,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    spki,
  );
  const signature = sign(algorithm.hash, tbs, options.privateKey);
  const der = sequence(tbs, algorithm.der, tlv(0x03, Buffer.from([0]), signature));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  new X509Certificate(pem); // fail here, not in a registry, if the encoding is ever wrong
  return pem;
}

/** The base64 DER of a PEM certificate (for a JWT `x5c` header). */
export function certificateDerBase64(pem: string): string {
  return new X509Certificate(pem).raw.toString('base64');
}
