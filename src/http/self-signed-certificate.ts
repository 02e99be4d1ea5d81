import os from 'node:os';
import { generate } from 'selfsigned';

export interface GeneratedCertificate {
  cert: string;
  key: string;
  /** SHA-256 of the DER certificate, colon-separated hex, as browsers and openssl show it. */
  fingerprint256: string;
}

/** A throwaway certificate for local HTTPS, valid for localhost, loopback, this host and `host`. */
export async function generateSelfSignedCertificate(host: string): Promise<GeneratedCertificate> {
  const dnsNames = [...new Set(['localhost', os.hostname(), ...(isIpAddress(host) ? [] : [host])])];
  const ips = [...new Set(['127.0.0.1', '::1', ...(isIpAddress(host) && host !== '0.0.0.0' && host !== '::' ? [host] : [])])];
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const generated = await generate([{ name: 'commonName', value: 'audit-relay (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...dnsNames.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  const { X509Certificate } = await import('node:crypto');
  return { cert: generated.cert, key: generated.private, fingerprint256: new X509Certificate(generated.cert).fingerprint256 };
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
