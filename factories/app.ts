import { createApp, type AppDeps } from '../shared/app.ts';
import { makeCapturingLogger } from './logger.ts';

/** The real app with test defaults; log lines are captured rather than printed. */
export function makeApp(overrides: Partial<AppDeps> = {}) {
  const { logger, lines } = makeCapturingLogger();
  const app = createApp({ service: { name: 'webhook-intake', version: '0.0.0-test' }, logger, ...overrides });
  return { app, lines };
}
