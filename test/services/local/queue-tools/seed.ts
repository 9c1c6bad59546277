// A DLQ seeded the ways messages really land there: parked by the worker's own parker (4xx,
// undecodable) and moved by the queue's redrive policy after maxReceiveCount receives.
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { runQueueCli } from '../../../../services/local/queue-tools/cli.ts';
import { startLocalQueue, type LocalQueue } from '../../../../services/local/local-queue.ts';
import { createParker } from '../../../../services/worker/park.ts';
import { encodeRestEnvelope } from '../../../../shared/queue-message/envelope.ts';
import { makeEnvelopeRecord, makeReplayRequest, makeSqsRecord } from '../../../../factories/sqs.ts';

export const hour = 3_600_000;

/** A local queue whose redrive policy moves a message on its second receive. */
export function startSeedQueue(): Promise<LocalQueue> {
  return startLocalQueue({ maxReceiveCount: 1 });
}

/** Parks a webhook as the worker does after the app answered `status`. */
export async function parkWebhook(queue: LocalQueue, options: { path: string; groupId: string; status: number; receivedAt: number; body?: string; requestId?: string }): Promise<void> {
  const park = createParker({ dlqUrl: queue.dlqUrl, sqs: queue.client });
  const record = makeEnvelopeRecord(
    { path: options.path, receivedAt: options.receivedAt, ...(options.body ? { body: Buffer.from(options.body) } : {}), ...(options.requestId ? { requestId: options.requestId } : {}) },
    { groupId: options.groupId },
  );
  await park(record, 'http_status', `The app answered ${options.status} ${options.status === 404 ? 'not_found' : 'rejected'}`, 5_000);
}

/** Parks a message that claims to be our envelope but cannot be decoded. */
export async function parkUndecodable(queue: LocalQueue, groupId: string): Promise<void> {
  const park = createParker({ dlqUrl: queue.dlqUrl, sqs: queue.client });
  const body = JSON.stringify({ source: 'ApiGatewayV1SQSLambda', envelopeVersion: 1, method: 'POST', path: '%%%', body: '', requestTime: 1 });
  await park(makeSqsRecord({ body, groupId }), 'undecodable', 'Undecodable rest-envelope-v1 message: path is not valid base64', 5_000);
}

/** Sends a webhook to the queue and receives it twice unacknowledged: the redrive policy moves it. */
export async function exhaustWebhook(queue: LocalQueue, options: { path: string; groupId: string; receivedAt: number }): Promise<void> {
  await queue.client.send(new SendMessageCommand({
    QueueUrl: queue.queueUrl,
    MessageBody: encodeRestEnvelope(makeReplayRequest({ path: options.path, receivedAt: options.receivedAt })),
    MessageGroupId: options.groupId,
    MessageDeduplicationId: `exhaust-${options.path}-${options.receivedAt}`,
  }));
  for (let receive = 0; receive < 2; receive += 1) {
    await queue.client.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, VisibilityTimeout: 0 }));
  }
}

/** Runs the CLI against `queue`; what it prints is returned, not shown. */
export async function runCli(queue: LocalQueue, argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runQueueCli(argv, {
    env: { LOCAL_QUEUE_PORT: new URL(queue.endpoint).port, ...env },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}
