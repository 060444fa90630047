import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certificateDerBase64, selfSignedCertificate, serialNumber } from './self-signed-certificate.js';

describe('selfSignedCertificate', () => {
  it('builds a certificate Node parses and verifies, for RSA, EC and Ed25519 keys', () => {
    const pairs = [generateKeyPairSync('rsa', { modulusLength: 2048 }), generateKeyPairSync('ec', { namedCurve: 'P-256' }), generateKeyPairSync('ed25519')];
    for (const { privateKey, publicKey } of pairs) {
      const pem = selfSignedCertificate({ privateKey, commonName: 'token issuer', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2055-01-01T00:00:00Z') });
      const cert = new X509Certificate(pem);
      expect(cert.subject).toBe('CN=token issuer');
      expect(cert.issuer).toBe('CN=token issuer');
      expect(cert.verify(publicKey)).toBe(true);
      expect(new Date(cert.validTo).getUTCFullYear()).toBe(2055); // GeneralizedTime past 2049
      expect(certificateDerBase64(pem)).toBe(cert.raw.toString('base64'));
    }
  });
});

describe('serialNumber', () => {
  it('is a positive, minimal DER INTEGER whatever the random bytes (no leading 0x00, top bit clear)', () => {
    for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      const serial = serialNumber(Buffer.from([first, 0x05, 0x80, 0x00]));
      expect(serial[0]).toBeGreaterThan(0);
      expect(serial[0]! & 0x80).toBe(0);
      expect(serial.subarray(1)).toEqual(Buffer.from([0x05, 0x80, 0x00]));
    }
  });
});
