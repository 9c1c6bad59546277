// Lambda entry of the queue worker (image command "worker.handler"). Built once per cold start,
// with the same app as the HTTP function (services/http/handler.ts).
import { describeConfig, loadConfig } from '../../shared/config.ts';
import { createConfiguredApp } from '../../shared/configured-app.ts';
import { EnvReader } from '../../shared/env.ts';
import { createLogger } from '../../shared/logger.ts';
import { createWorkerMetrics } from './metrics.ts';
import { createWorkerHandler } from './worker.ts';

const env = new EnvReader(process.env);
// Where 4xx answers and undecodable messages are parked (README "Worker"); checked with the rest.
const dlqUrl = env.fifoQueueUrl('DLQ_URL');
const config = await loadConfig(env);
const logger = createLogger({ level: config.logLevel, fields: { service: config.service.name, function: 'worker' } });
logger.info('configuration loaded', describeConfig(config));
const app = await createConfiguredApp(config, logger);

export const handler = createWorkerHandler({
  app,
  logger,
  metrics: createWorkerMetrics({ service: config.service.name }),
  ...(dlqUrl ? { dlqUrl } : {}),
});
