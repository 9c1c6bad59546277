// The events every benchmark part sends, so the floor and our handlers answer the same requests.
import type { SQSEvent } from 'aws-lambda';
import type { ReplayRequest } from '../shared/queue-message/replay-request.ts';
import { makeEnvelopeRecord, makeReplayRequest, makeSqsEvent, sampleTime } from '../factories/sqs.ts';

/** `POST /webhook` with a small JSON body, the size of a typical payment notification. */
export function webhookRequest(index: number): ReplayRequest {
  const body = { id: `evt_${index}`, type: 'payment.succeeded', amount: 1999 + index, currency: 'eur', metadata: { order: `ord_${index}` } };
  return makeReplayRequest({ body: Buffer.from(JSON.stringify(body)), requestId: `req-${index}`, receivedAt: sampleTime + index });
}

/** A FIFO batch of `size` REST-envelope messages of one group, numbered from `first`. */
export function webhookBatch(size: number, first = 0): SQSEvent {
  return makeSqsEvent(
    Array.from({ length: size }, (_, i) => {
      const index = first + i;
      const spec = { messageId: `bench-${index}`, groupId: '/webhook', sequenceNumber: String(18_849_496_460_467_696_128n + BigInt(index)), sentAt: sampleTime + index };
      return makeEnvelopeRecord(webhookRequest(index), spec);
    }),
  );
}
