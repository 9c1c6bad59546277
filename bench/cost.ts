// What a webhook costs on AWS, per API flavour, from what the benchmark measured: the worker's
// time per message, the bytes of each queue message and log line, as this code writes them.
import { readFileSync } from 'node:fs';
import { createWorkerMetrics } from '../services/worker/metrics.ts';
import { createWorkerHandler } from '../services/worker/worker.ts';
import { createApp } from '../shared/app.ts';
import { createLogger } from '../shared/logger.ts';
import { encodeRestEnvelope } from '../shared/queue-message/envelope.ts';
import { encodeHttpApiFrame } from '../shared/queue-message/http-api-message.ts';
import type { ReplayRequest } from '../shared/queue-message/replay-request.ts';
import { makeLambdaContext } from '../factories/lambda-context.ts';
import { webhookBatch } from './events.ts';
import { functionMemoryMB } from './lambda-runtime.ts';
import { markdown, type Figure } from './report.ts';
import { round } from './stats.ts';

/**
 * Public on-demand prices, US East (N. Virginia), no free tier, as the pages below gave them
 * on the day named. Each is the first volume tier, which 100 million webhooks a month stays in.
 */
export const prices = {
  region: 'us-east-1 (US East, N. Virginia)',
  checked: '2026-11-30',
  /** REST API calls, first 333 M a month. */
  restApiPerMillion: 3.5,
  /** HTTP API calls, first 300 M a month, metered per 512 KB. */
  httpApiPerMillion: 1.0,
  /** WAF, per million requests the web ACL inspects (the REST stage has one; HTTP APIs cannot). */
  wafPerMillion: 0.6,
  /** SQS FIFO, per million requests, each 64 KB chunk of a request's payload billed as one. */
  sqsFifoPerMillion: 0.5,
  /** Lambda invocations. */
  lambdaPerMillion: 0.2,
  /** Lambda duration, x86, first 6 billion GB-s a month. */
  lambdaPerGbSecond: 0.0000166667,
  /** DynamoDB on-demand write request units (1 KB each). */
  dynamoWritePerMillion: 0.625,
  /** CloudWatch Logs ingestion, standard class, per GB. */
  logsPerGb: 0.5,
  sources: [
    'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html (REST and HTTP API calls)',
    'https://c3x.dev/blog/aws-waf-cost-explained/ (WAF requests)',
    'https://cloudburn.io/blog/amazon-sqs-pricing (SQS FIFO, 64 KB chunks; March 2026)',
    'https://cloudchipr.com/blog/aws-lambda-pricing (Lambda requests and x86 GB-s tiers)',
    'https://airbyte.com/data-engineering-resources/dynamodb-pricing (on-demand WRU, after the November 2024 price cut)',
    'https://c3x.dev/blog/cloudwatch-logs-cost-optimization (Logs ingestion, standard class; June 2026)',
  ],
} as const;

// Lambda gives a function one vCPU at 1,769 MB and CPU in proportion below it
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html): CPU-bound code
// runs 1,769 / memory times slower than on a whole core.
const vcpuMemoryMB = 1769;
const chunkBytes = 64 * 1024;
const gib = 2 ** 30;

type Flavour = 'REST API' | 'HTTP API';

/** One webhook's way through the service, per API flavour. */
export interface Workload {
  flavour: Flavour;
  /** One SendMessage payload: the message body (neither flavour sends message attributes). */
  messageBytes: number;
  /** API Gateway's access log line. */
  accessLogBytes: number;
  /** The worker's `queue record` line. */
  recordLogBytes: number;
  /** The worker's EMF line, one per invocation. */
  metricsLogBytes: number;
  /** Lambda's START, END and REPORT lines, per invocation. */
  platformLogBytes: number;
  /** The worker's time for one batch at its memory size, ms. */
  batchMs: number;
  batchSize: number;
  memoryMB: number;
  /** DynamoDB writes per webhook: the idempotency record, in progress then completed. */
  idempotencyWrites: number;
}

interface CostLine {
  line: string;
  /** USD per million webhooks. */
  perMillion: number;
}

/** The bill per million webhooks, line by line (long-poll receives that find nothing are not counted). */
export function costPerMillion(w: Workload): CostLine[] {
  const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / chunkBytes));
  // Per webhook: one send; a receive and a DeleteMessageBatch per batch, the receive billed per
  // 64 KB of the batch it returns.
  const sqsRequests = chunks(w.messageBytes) + chunks(w.messageBytes * w.batchSize) / w.batchSize + 1 / w.batchSize;
  // Lambda bills each invocation's duration rounded up to the millisecond.
  const gbSeconds = ((Math.ceil(w.batchMs) / 1000) * (w.memoryMB / 1024)) / w.batchSize;
  const logBytes = w.accessLogBytes + w.recordLogBytes + (w.metricsLogBytes + w.platformLogBytes) / w.batchSize;
  const million = 1e6;
  return [
    { line: 'API Gateway requests', perMillion: w.flavour === 'REST API' ? prices.restApiPerMillion : prices.httpApiPerMillion },
    ...(w.flavour === 'REST API' ? [{ line: 'WAF requests', perMillion: prices.wafPerMillion }] : []),
    { line: 'SQS FIFO requests', perMillion: sqsRequests * prices.sqsFifoPerMillion },
    { line: 'Lambda requests', perMillion: prices.lambdaPerMillion / w.batchSize },
    { line: 'Lambda GB-seconds', perMillion: gbSeconds * million * prices.lambdaPerGbSecond },
    { line: 'DynamoDB idempotency writes', perMillion: w.idempotencyWrites * prices.dynamoWritePerMillion },
    { line: 'CloudWatch Logs ingestion', perMillion: ((logBytes * million) / gib) * prices.logsPerGb },
  ];
}

/** A typical signed provider delivery: a 2 KiB JSON event and the headers Stripe sends with one. */
function providerDelivery(): ReplayRequest {
  const body = Buffer.from(JSON.stringify({ id: 'evt_1RsT9u2eZvKYlo2C', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_3RsT9u2eZvKYlo2C', description: 'x'.repeat(1700) } } }));
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'stripe-signature': `t=1764000000,v1=${'a'.repeat(64)},v0=${'b'.repeat(64)}`,
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    accept: '*/*; q=0.5, application/xml',
    'cache-control': 'no-cache',
    host: 'abc123.execute-api.us-east-1.amazonaws.com',
  };
  return { method: 'POST', path: '/webhook/stripe', query: [], headers, body, requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', receivedAt: 1764000000000, sourceIp: '3.18.12.63', domainName: headers.host, stage: 'prod' };
}

/** The HTTP API message (version 2): the framed body alone, gateway values included; no message attributes. */
function httpApiMessageBytes(request: ReplayRequest): number {
  const values = {
    method: request.method,
    requestId: 'JKJaXmPLvHcESHA=',
    requestTimeEpoch: String(Math.floor((request.receivedAt ?? 0) / 1000)),
    sourceIp: request.sourceIp ?? '',
    path: request.path,
    headers: request.headers,
    body: request.body.toString('utf8'),
  };
  return Buffer.byteLength(encodeHttpApiFrame(values, ['content-type', 'stripe-signature']));
}

/** API Gateway's access log lines as infra/service.yaml formats them (REST first, then HTTP API), with typical values. */
function accessLogBytes(): Record<Flavour, number> {
  const formats = [...readFileSync('infra/service.yaml', 'utf8').matchAll(/Format: '(\{"requestId":[^']+)'/g)].map((m) => m[1]!);
  if (formats.length !== 2) throw new Error(`expected the REST and HTTP API access log formats in infra/service.yaml, found ${formats.length}`);
  const sample: Record<string, string> = { requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', 'identity.sourceIp': '3.18.12.63', httpMethod: 'POST', path: '/prod/webhook/stripe', status: '202', 'integration.status': '200', integrationStatus: '200', integrationErrorMessage: '-', responseLatency: '23' };
  const render = (format: string) => Buffer.byteLength(format.replace(/\$context\.([\w.]+)/g, (_, name: string) => sample[name] ?? '-'));
  return { 'REST API': render(formats[0]!), 'HTTP API': render(formats[1]!) };
}

/** Lambda's own lines for one invocation, in the text format the functions log in. */
function platformLogBytes(memoryMB: number): number {
  const id = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
  return Buffer.byteLength(
    `START RequestId: ${id} Version: $LATEST\nEND RequestId: ${id}\n` +
      `REPORT RequestId: ${id}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: ${memoryMB} MB\tMax Memory Used: 92 MB\t\n`,
  );
}

/** The worker's own lines for one 10-record batch, as handler.ts configures its logger. */
async function workerLogBytes(batchSize: number): Promise<{ record: number; metrics: number }> {
  const lines: string[] = [];
  const write = (line: string) => lines.push(line + '\n');
  const logger = createLogger({ level: 'info', fields: { service: 'webhook-intake', function: 'worker' }, write });
  const app = createApp({ service: { name: 'webhook-intake', version: '0.1.0' }, logger });
  const handler = createWorkerHandler({ app, logger, metrics: createWorkerMetrics({ write }) });
  await handler(webhookBatch(batchSize), makeLambdaContext());
  const records = lines.filter((line) => line.includes('"queue record"'));
  const metrics = lines.filter((line) => line.includes('"CloudWatchMetrics"'));
  if (records.length !== batchSize || metrics.length !== 1) throw new Error(`expected ${batchSize} record lines and one EMF line, got ${records.length} and ${metrics.length}`);
  return { record: Buffer.byteLength(records.join('')) / batchSize, metrics: Buffer.byteLength(metrics[0]!) };
}

interface CostReport {
  workloads: Workload[];
  figures: Figure[];
  table: string;
}

/**
 * The bill per million webhooks for each API flavour, at the worker time per message measured
 * on the production runtime (`workerUsPerMessage`, on one core of this machine), and what
 * the levers we hold (logs, memory, batch size) change.
 */
export async function measureCost(workerUsPerMessage: number): Promise<CostReport> {
  const batchSize = 10;
  const memoryMB = functionMemoryMB.worker;
  const delivery = providerDelivery();
  const logs = await workerLogBytes(batchSize);
  const access = accessLogBytes();
  const batchMs = (workerUsPerMessage * batchSize) / 1000 * Math.max(1, vcpuMemoryMB / memoryMB);
  const base = { recordLogBytes: logs.record, metricsLogBytes: logs.metrics, platformLogBytes: platformLogBytes(memoryMB), batchMs, batchSize, memoryMB, idempotencyWrites: 2 };
  const workloads: Workload[] = [
    { flavour: 'REST API', messageBytes: Buffer.byteLength(encodeRestEnvelope(delivery)), accessLogBytes: access['REST API'], ...base },
    { flavour: 'HTTP API', messageBytes: httpApiMessageBytes(delivery), accessLogBytes: access['HTTP API'], ...base },
  ];

  const total = (w: Workload) => costPerMillion(w).reduce((sum, l) => sum + l.perMillion, 0);
  const figures: Figure[] = [];
  const rows: string[][] = [];
  const usd = (value: number) => `$${value < 10 ? value.toFixed(3) : value.toFixed(2)}`;
  for (const w of workloads) {
    const lines = costPerMillion(w);
    const sum = total(w);
    const top = [...lines].sort((a, b) => b.perMillion - a.perMillion)[0]!;
    for (const l of lines) rows.push([w.flavour, l.line, `${Math.round((l.perMillion / sum) * 100)} %`, usd(l.perMillion), usd(l.perMillion * 10), usd(l.perMillion * 100)]);
    rows.push([w.flavour, '**total**', '100 %', `**${usd(sum)}**`, `**${usd(sum * 10)}**`, `**${usd(sum * 100)}**`]);
    const id = w.flavour === 'REST API' ? 'rest' : 'http';
    figures.push({ id: `cost.${id}`, part: 'cost', label: `${w.flavour}: USD per million webhooks`, value: round(sum, 2), unit: 'USD', note: `largest: ${top.line} (${Math.round((top.perMillion / sum) * 100)} %)` });
  }

  // The levers this code holds, on the REST flavour: each row changes one input.
  const rest = workloads[0]!;
  const levers: [string, Workload][] = [
    ['worker LOG_LEVEL=warn (no line per handled record)', { ...rest, recordLogBytes: 0 }],
    ['worker at 512 MB (CPU-bound: twice the time, the same GB-s)', { ...rest, memoryMB: 512, batchMs: (workerUsPerMessage * batchSize) / 1000 * (vcpuMemoryMB / 512) }],
    ['batch size 1 instead of 10', { ...rest, batchSize: 1, batchMs: rest.batchMs / batchSize }],
    ['every webhook 10 ms longer in the worker (e.g. DynamoDB round trips)', { ...rest, batchMs: rest.batchMs + 10 * batchSize }],
  ];
  const leverRows = levers.map(([what, w]) => [what, `${(total(w) - total(rest) >= 0 ? '+' : '−')}${usd(Math.abs(total(w) - total(rest)))}`]);

  const table = [
    markdown(['flavour', 'line', 'share', '1 M webhooks/month', '10 M/month', '100 M/month'], rows),
    '',
    markdown(['REST API, one change', 'per million webhooks'], leverRows),
    '',
    `Prices: ${prices.region}, on-demand, no free tier, read ${prices.checked}. A 2 KiB signed delivery (${rest.messageBytes} B REST envelope, ${workloads[1]!.messageBytes} B HTTP API message), batches of ${batchSize}, worker at ${memoryMB} MB for ${round(batchMs, 2)} ms a batch (${workerUsPerMessage} µs a message on one core, × ${round(vcpuMemoryMB / memoryMB, 2)} for its CPU share), logs ${Math.round(rest.accessLogBytes)} + ${Math.round(rest.recordLogBytes)} B a webhook and ${Math.round(rest.metricsLogBytes + rest.platformLogBytes)} B a batch. Sources: ${prices.sources.join('; ')}.`,
  ].join('\n');
  return { workloads, figures, table };
}
