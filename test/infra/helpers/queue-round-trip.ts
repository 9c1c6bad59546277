import { createHash } from 'node:crypto';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { Middleware } from 'koa';
import type { AppDeps } from '../../../shared/app.ts';
import type { QueueMetadata } from '../../../shared/origin.ts';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { toSqsRecord } from '../../../services/server/sqs-event.ts';
import { createWorkerMetrics } from '../../../services/worker/metrics.ts';
import { createWorkerHandler } from '../../../services/worker/worker.ts';
import { makeApp } from '../../../factories/app.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { makeLambdaContext } from '../../../factories/lambda-context.ts';
import type { SendMessageParams } from './sqs-form.ts';

/** What the app saw of a replayed request (read by an outermost middleware, after the app ran). */
export interface SeenRequest {
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body: Buffer;
  receivedAt: number;
  /** The request id and client address the app was given (the gateway's, from the message). */
  requestId: string;
  ip: string;
  queue: QueueMetadata | undefined;
  status: number;
  /** The app's answer body (the example POST /webhook answers the SHA-256 of what it read). */
  response: unknown;
}

export interface Delivery {
  record: SQSRecord;
  batch: SQSBatchResponse;
  /** Undefined when the worker did not replay the record (an undecodable message is parked). */
  seen: SeenRequest | undefined;
}

export interface QueueRoundTrip {
  /** Sends as API Gateway would, receives as Lambda's event source would, runs the worker. */
  deliver(params: SendMessageParams): Promise<Delivery>;
  stop(): Promise<void>;
}

/** The message group and deduplication ids SQS kept for a delivered message. */
export function messageIdsOf(delivery: Delivery): { groupId: string | undefined; deduplicationId: string | undefined } {
  return { groupId: delivery.record.attributes.MessageGroupId, deduplicationId: delivery.record.attributes.MessageDeduplicationId };
}

/** SQS refused the SendMessage call: API Gateway answers an error and nothing is queued. */
export class SqsRefusal extends Error {
  constructor(readonly problems: string[]) {
    super(`SQS refuses the message: ${problems.join('; ')}`);
    this.name = 'SqsRefusal';
  }
}

/**
 * A FIFO queue on 127.0.0.1 (fauxqs) and the real worker around the real app (`appDeps`
 * configures it, e.g. with provider secrets). SQS rules
 * fauxqs does not enforce are checked first, from the SendMessage reference:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export async function startQueueRoundTrip(appDeps: Partial<AppDeps> = {}): Promise<QueueRoundTrip> {
  const queue = await startLocalQueue();
  const { QueueArn = '' } = (await queue.client.send(new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['QueueArn'] }))).Attributes ?? {};
  const seen: SeenRequest[] = [];
  const { app } = makeApp(appDeps);
  app.middleware.unshift(observe(seen));
  const worker = createWorkerHandler({
    app,
    logger: makeCapturingLogger().logger,
    metrics: createWorkerMetrics({ write: () => undefined }),
    sqs: queue.client,
    dlqUrl: queue.dlqUrl,
  });

  return {
    async deliver(params) {
      const problems = sqsProblems(params);
      if (problems.length > 0) throw new SqsRefusal(problems);
      await queue.client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, ...params, MessageBody: escapeAstral(params.MessageBody) }));
      const message = await receiveOne(queue);
      const record = unescapeAstral(toSqsRecord(message, QueueArn));
      seen.length = 0;
      try {
        const batch = await worker({ Records: [record] }, makeLambdaContext());
        return { record, batch, seen: seen[0] };
      } finally {
        await queue.client.send(new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    },
    stop: () => queue.stop(),
  };
}

async function receiveOne(queue: LocalQueue) {
  const { Messages = [] } = await queue.client.send(
    new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
  );
  const [message] = Messages;
  if (!message) throw new Error('Nothing to receive: the message was deduplicated or not sent');
  return message;
}

function observe(seen: SeenRequest[]): Middleware {
  return async (ctx, next) => {
    await next();
    seen.push({
      method: ctx.method,
      path: ctx.path,
      query: [...new URLSearchParams(ctx.querystring)],
      headers: { ...(ctx.headers as Record<string, string>) },
      body: ctx.request.rawBody,
      receivedAt: ctx.state.receivedAt,
      requestId: ctx.state.requestId,
      ip: ctx.ip,
      queue: ctx.state.queue,
      status: ctx.status,
      response: ctx.body,
    });
  };
}

// fauxqs 1.9 refuses characters above U+FFFF, which SQS accepts ("#x10000 to #x10FFFF" in the
// SendMessage reference): they cross fauxqs as "\uE000<hex>;" (the marker itself doubled) and
// are restored in the record, whose MD5 is then that of the restored body.
const marker = '\uE000';

function escapeAstral(body: string): string {
  return body.replace(/\uE000|[\u{10000}-\u{10FFFF}]/gu, (c) => (c === marker ? marker + marker : `${marker}${c.codePointAt(0)!.toString(16)};`));
}

function unescapeAstral(record: SQSRecord): SQSRecord {
  if (!record.body.includes(marker)) return record;
  const body = record.body.replace(/\uE000(\uE000|[0-9a-f]+;)/g, (_, code: string) => (code === marker ? marker : String.fromCodePoint(parseInt(code, 16))));
  return { ...record, body, md5OfBody: createHash('md5').update(body).digest('hex') };
}

const sqsId = /^[!-~]{1,128}$/;

function sqsProblems(params: SendMessageParams): string[] {
  const problems: string[] = [];
  if (params.MessageBody === '') problems.push('MessageBody must not be empty');
  if (/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(params.MessageBody)) problems.push('MessageBody contains characters outside the set SQS allows');
  if (params.MessageGroupId === undefined || !sqsId.test(params.MessageGroupId)) problems.push(`MessageGroupId ${JSON.stringify(params.MessageGroupId)} is not 1-128 printable ASCII characters`);
  if (params.MessageDeduplicationId === undefined || !sqsId.test(params.MessageDeduplicationId)) {
    problems.push(`MessageDeduplicationId ${JSON.stringify(params.MessageDeduplicationId)} is not 1-128 printable ASCII characters`);
  }
  return problems;
}
