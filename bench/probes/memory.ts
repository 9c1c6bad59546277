// Child process of `npm run bench`, bundled and run with plain node (no tsx in the heap):
// replays 100,000 messages in 10-record batches through the worker bundle given as argv[2],
// in one process as a long-lived Lambda environment would, and reports memory after 1,000
// and after 100,000 messages (each after a full GC) and the peak RSS.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { reportResult } from '../child.ts';
import { webhookBatch } from '../events.ts';

export interface MemoryReport {
  after1k: { rssMB: number; heapMB: number };
  after100k: { rssMB: number; heapMB: number };
  peakRssMB: number;
  messagesPerSecond: number;
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const { handler } = (await import(process.argv[2]!)) as { handler: Handler };
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const snapshot = () => {
  gc();
  const usage = process.memoryUsage();
  return { rssMB: mb(usage.rss), heapMB: mb(usage.heapUsed) };
};

let sent = 0;
const replay = async (until: number) => {
  while (sent < until) {
    // A fresh event each time, with new message ids, as the queue would deliver.
    const event = webhookBatch(10, sent);
    const deadline = Date.now() + 30_000;
    const context = { awsRequestId: `bench-${sent}`, getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
    const response = await handler(event, context);
    if (response.batchItemFailures.length > 0) throw new Error(`messages from ${sent} were not all handled: ${JSON.stringify(response)}`);
    sent += 10;
  }
};

await replay(1_000);
const after1k = snapshot();
const started = performance.now();
await replay(100_000);
const seconds = (performance.now() - started) / 1000;
const after100k = snapshot();

reportResult({
  after1k,
  after100k,
  peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
  messagesPerSecond: Math.round(99_000 / seconds),
} satisfies MemoryReport);
process.exit(0);
