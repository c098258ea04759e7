/**
 * Node warns (DEP0123) every time a TLS connection is made to an IP address, which is
 * how gRPC reaches `127.0.0.1:7070` or a worker's advertised IP; certificate checks use
 * the IP SAN all the same. That warning is noise for Groove's users, so it is dropped;
 * every other process warning is still printed, on one line.
 */
export function filterProcessWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code === 'DEP0123') return;
    process.stderr.write(`(warning) ${warning.name}: ${warning.message}\n`);
  });
}
