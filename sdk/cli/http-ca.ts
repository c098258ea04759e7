import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { UserError } from '../../common/index.js';
import { setHttpTrustedCa } from '../../storage/index.js';

/**
 * `--ca FILE`: trusts the CA certificates in FILE (PEM) for https inputs in this process,
 * besides the default roots. `mr master` (which HEADs inputs at submit), `mr worker` (whose
 * pool processes read them, handed the certificates with each task) and `mr run` take it.
 * @throws UserError naming the file when it cannot be read or holds no PEM certificate.
 */
export function trustCaFile(file: string | undefined): void {
  if (file === undefined) return;
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`--ca ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      cause: err,
    });
  }
  const first = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem);
  try {
    if (!first) throw new Error('no BEGIN CERTIFICATE block');
    new X509Certificate(first[0]);
  } catch (err) {
    throw new UserError(`--ca ${file}: not a PEM certificate (${(err as Error).message})`, { cause: err });
  }
  setHttpTrustedCa(pem);
}
