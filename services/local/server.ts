// `npm start`: the service on one machine. Serves the app on HOST:PORT (127.0.0.1:3000).
import { createServer } from 'node:http';
import { createApp } from '../../shared/app.ts';
import { loadConfig } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';

const config = await loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { service: config.service.name, function: 'local' } });
const app = createApp({ service: config.service, logger, bodyLimit: config.bodyLimit });
const callback = app.callback();
const server = createServer((req, res) => void callback(req, res));

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info('listening', { url: `http://${config.host}:${port}`, mode: 'direct' });
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info('shutting down', { signal });
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
