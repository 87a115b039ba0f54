import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface ServerCertificate {
  cert: string;
  key: string;
  certPath: string;
}

const VALIDITY_DAYS = 30;

// RSA key generation takes ~100 ms+; one certificate per process (and name set) keeps repeated
// test starts fast.
const cached = new Map<string, Promise<ServerCertificate>>();

/** A certificate for localhost, 127.0.0.1, ::1 and any extra DNS names (e.g. a compose service name). */
export function getServerCertificate(hostnames: readonly string[] = []): Promise<ServerCertificate> {
  const key = hostnames.join(',');
  let certificate = cached.get(key);
  if (!certificate) {
    certificate = createCertificate(hostnames).catch((error: unknown) => {
      cached.delete(key);
      throw error;
    });
    cached.set(key, certificate);
  }
  return certificate;
}

async function createCertificate(hostnames: readonly string[]): Promise<ServerCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + VALIDITY_DAYS * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      // A CA-flagged self-signed leaf: usable both as trust anchor (NODE_EXTRA_CA_CERTS, --cacert) and server cert.
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          ...hostnames.map((value) => ({ type: 2 as const, value })),
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  const certPath = join(mkdtempSync(join(tmpdir(), 'mock-llm-')), 'ca.pem');
  writeFileSync(certPath, pems.cert);
  return { cert: pems.cert, key: pems.private, certPath };
}
