import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** PEM files of a throwaway CA and a certificate it signed for 127.0.0.1 (server and client use). */
export interface TestCerts {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** Makes a CA and one leaf certificate (SAN IP 127.0.0.1 and localhost, serverAuth + clientAuth) with openssl. */
export function makeTestCerts(dir: string, name: string): TestCerts {
  fs.mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${name}-ca.key`,
      '-out',
      `${name}-ca.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name} test CA`,
    ],
    dir,
  );
  openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=127.0.0.1'], dir);
  fs.writeFileSync(
    path.join(dir, `${name}.ext`),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${name}-ca.pem`,
      '-CAkey',
      `${name}-ca.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
  return {
    ca: path.join(dir, `${name}-ca.pem`),
    cert: path.join(dir, `${name}.pem`),
    key: path.join(dir, `${name}.key`),
  };
}
