import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';

type HealthClient = grpc.Client & {
  check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, reply?: { status: string }) => void,
  ): void;
};

let ctor: (new (address: string, credentials: grpc.ChannelCredentials) => HealthClient) | undefined;

/**
 * Asks a server's standard health service (grpc.health.v1.Health/Check) how `service` is,
 * as a Kubernetes gRPC probe does: no token, no TLS. Resolves with SERVING, NOT_SERVING,
 * or the status code's name when the call fails (NOT_FOUND, UNAUTHENTICATED...).
 */
export async function healthStatus(address: string, service: string): Promise<string> {
  if (!ctor) {
    const definition = protoLoader.loadSync(protoPath, { keepCase: true, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      grpc: { health: { v1: { Health: typeof ctor } } };
    };
    ctor = pkg.grpc.health.v1.Health;
  }
  const Health = ctor as NonNullable<typeof ctor>;
  const client = new Health(address, grpc.credentials.createInsecure());
  try {
    return await new Promise<string>((resolve) =>
      client.check({ service }, { deadline: Date.now() + 5000 }, (err, reply) =>
        resolve(err ? (grpc.status[err.code] ?? String(err.code)) : (reply?.status ?? 'UNKNOWN')),
      ),
    );
  } finally {
    client.close();
  }
}
