// Lambda entry of the HTTP function (image command "http.handler"). Built once per cold start.
import { describeConfig, loadConfig } from '../../shared/config.ts';
import { createConfiguredApp } from '../../shared/configured-app.ts';
import { createLogger } from '../../shared/logger.ts';
import { createHttpHandler } from './http-handler.ts';

const config = await loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { service: config.service.name, function: 'http' } });
logger.info('configuration loaded', describeConfig(config));

export const handler = createHttpHandler(await createConfiguredApp(config, logger), logger);
