import { startService, type Service } from '../services/server/service.ts';

type ServiceOptions = Parameters<typeof startService>[0];

/**
 * The service as the tests and the benchmarks run it: 127.0.0.1 on a free port, 1 MiB bodies,
 * 1 s long polls. `overrides` win; `consumer` is merged.
 */
export function startLoopbackService(overrides: Pick<ServiceOptions, 'app' | 'logger'> & Partial<ServiceOptions>): Promise<Service> {
  return startService({ host: '127.0.0.1', port: 0, bodyLimit: 1024 * 1024, ...overrides, consumer: { waitTimeSeconds: 1, ...overrides.consumer } });
}
