// Child process of `npm run bench`: warm HTTP path. The same GET request as a REST (v1) event
// and an HTTP API (v2) event through the HTTP function's handler, and injected straight into
// app.callback() with light-my-request. Logs go to stdout, which the parent discards.
import inject from 'light-my-request';
import { createHttpHandler } from '../../services/http/http-handler.ts';
import { createConfiguredApp } from '../../shared/configured-app.ts';
import { loadConfig } from '../../shared/config.ts';
import { createLogger } from '../../shared/logger.ts';
import { makeApiGatewayV1Event, makeApiGatewayV2Event, type RequestSpec } from '../../factories/api-gateway.ts';
import { createInvocationContext } from '../../services/server/invocation-context.ts';
import { reportResult } from '../child.ts';
import { timeSubjects } from '../timing.ts';

// The app as services/http/handler.ts builds it, from the same config.
const config = await loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { service: config.service.name, function: 'http' } });
const app = await createConfiguredApp(config, logger);
const handler = createHttpHandler(app);
const callback = app.callback();

const request = {
  method: 'GET',
  path: '/api/orders/42',
  query: [['expand', 'items']],
  headers: { accept: 'application/json', 'user-agent': 'bench/1.0', 'x-forwarded-for': '203.0.113.7' },
} satisfies RequestSpec;
const v1 = makeApiGatewayV1Event(request);
const v2 = makeApiGatewayV2Event(request);
const context = createInvocationContext('bench-http', 60_000);
const injection = { method: 'GET', url: '/api/orders/42?expand=items', headers: { ...request.headers, host: 'abc123.execute-api.eu-west-1.amazonaws.com' } } as const;

const statusOf = (answer: unknown) => (answer as { statusCode?: number }).statusCode;
const statuses = { v1: statusOf(await handler(v1, context)), v2: statusOf(await handler(v2, context)), inject: statusOf(await inject(callback, injection)) };
if (statuses.v1 !== 200 || statuses.v2 !== 200 || statuses.inject !== 200) {
  throw new Error(`the warm HTTP request is not answered 200: ${JSON.stringify(statuses)}`);
}

const timings = await timeSubjects(
  {
    inject: () => inject(callback, injection),
    v1: () => handler(v1, context),
    v2: () => handler(v2, context),
  },
  { warmup: 2000, rounds: 7, perRound: 1500 },
);
reportResult(timings);
