import { startLocalService, type LocalService } from '../services/local/local-service.ts';

type LocalServiceOptions = Parameters<typeof startLocalService>[0];

/**
 * The local service as the tests and the benchmarks run it: 127.0.0.1 on a free port, 1 MiB
 * bodies, 1 s long polls. `overrides` win; `poller` is merged.
 */
export function startLoopbackService(overrides: Pick<LocalServiceOptions, 'app' | 'logger'> & Partial<LocalServiceOptions>): Promise<LocalService> {
  return startLocalService({ host: '127.0.0.1', port: 0, bodyLimit: 1024 * 1024, ...overrides, poller: { waitTimeSeconds: 1, ...overrides.poller } });
}
