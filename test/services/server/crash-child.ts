// The crash test's victim: a consumer with the real worker and app, in its own process, so that
// the test can SIGKILL it mid-batch. Prints `{"handled":"<id>"}` as the app handles each webhook.
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalSqsClient } from '../../../services/local/local-queue.ts';
import { startConsumer } from '../../../services/server/consumer.ts';
import { createWorkerMetrics } from '../../../services/worker/metrics.ts';
import { createWorkerHandler } from '../../../services/worker/worker.ts';
import { createApp } from '../../../shared/app.ts';
import { createLogger } from '../../../shared/logger.ts';

const [endpoint, queueUrl] = process.argv.slice(2) as [string, string];
const logger = createLogger({ level: 'error', write: (line) => process.stderr.write(line + '\n') });
const app = createApp({ service: { name: 'webhook-intake', version: '0.0.0-crash' }, logger });
app.use(async (ctx) => {
  await sleep(150);
  process.stdout.write(JSON.stringify({ handled: (ctx.request.body as { id: string }).id }) + '\n');
  ctx.body = { ok: true };
});
const sqs = createLocalSqsClient(endpoint);
const handler = createWorkerHandler({ app, logger, metrics: createWorkerMetrics({ write: () => undefined }), deadlineMarginMs: 200 });
await startConsumer({ sqs, queueUrl, handler, logger, waitTimeSeconds: 1 });
process.stdout.write('{"ready":true}\n');
