/**
 * Node warns (DEP0123) every time a TLS connection is made to an IP address, which is
 * how gRPC reaches `127.0.0.1:7070` or a worker's advertised IP; certificate checks use
 * the IP SAN all the same. That warning is noise for Groove's users, so it is dropped, as
 * is the AWS SDK's warning (on its first request, in ten lines) that its versions after
 * January 2027 need Node 22: the version Groove pins supports Node 20. Every other process
 * warning is still printed, on one line.
 */
export function filterProcessWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code === 'DEP0123' || warning.message.startsWith('NodeVersionSupportWarning: The AWS SDK')) return;
    process.stderr.write(`(warning) ${warning.name}: ${warning.message}\n`);
  });
}
