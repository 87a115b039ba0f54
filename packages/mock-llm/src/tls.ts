import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface ServerCertificate {
  cert: string;
  key: string;
  /** The certificate as a PEM file: what clients trust (NODE_EXTRA_CA_CERTS, curl --cacert). */
  certPath: string;
  /** The private key as a PEM file, beside it in a directory only this user can read. */
  keyPath: string;
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
  const dir = mkdtempSync(join(tmpdir(), 'mock-llm-'));
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'key.pem');
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  return { cert: pems.cert, key: pems.private, certPath, keyPath };
}
