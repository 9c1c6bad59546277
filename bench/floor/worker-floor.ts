// The floor of the queue worker: the least a Koa service can do to replay an SQS batch —
// take the body out of each REST envelope, inject it as `POST /webhook` with light-my-request
// and acknowledge the batch. No decoding checks, FIFO rules, outcomes or logging.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import Koa from 'koa';
import inject from 'light-my-request';

const app = new Koa();
app.use((ctx) => {
  if (ctx.method === 'POST' && ctx.path === '/webhook') ctx.body = { received: true };
});
const callback = app.callback();

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  for (const record of event.Records) {
    const { body } = JSON.parse(record.body) as { body: string };
    await inject(callback, { method: 'POST', url: '/webhook', headers: { 'content-type': 'application/json' }, payload: Buffer.from(body, 'base64') });
  }
  return { batchItemFailures: [] };
}
