// Signed provider webhooks end to end on one machine: the local gateway writes the REST API
// envelope to a FIFO queue (fauxqs on 127.0.0.1), the queue consumer plays Lambda's event source
// mapping, the worker replays each message into the app, which verifies the signature.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type Koa from 'koa';
import type { LocalConfig } from '../../../services/local/local-config.ts';
import type { ProviderSecrets } from '../../../shared/signatures/secrets.ts';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import type { Service } from '../../../services/server/service.ts';
import { startLoopbackService } from '../../../factories/local-service.ts';
import { redriveCommand } from '../../../services/local/queue-tools/redrive.ts';
import { createWorkerMetrics } from '../../../services/worker/metrics.ts';
import { createWorkerHandler } from '../../../services/worker/worker.ts';
import { makeApp } from '../../../factories/app.ts';
import { makeLambdaContext } from '../../../factories/lambda-context.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { signStripe } from '../../../factories/signatures.ts';
import { makeEnvelopeRecord, makeSqsEvent } from '../../../factories/sqs.ts';
import { makeProviderWebhooks, makeSignedDelivery, testSecrets, type SignedDelivery } from '../../../factories/webhooks.ts';
import { depth, waitFor } from '../../helpers/queue.ts';

/** The app's answers, kept by an outermost middleware added before anything builds its callback. */
function captureAnswers(app: Koa): { path: string; status: number; body: unknown }[] {
  const answers: { path: string; status: number; body: unknown }[] = [];
  app.middleware.unshift(async (ctx, next) => {
    await next();
    answers.push({ path: ctx.path, status: ctx.status, body: ctx.body });
  });
  return answers;
}

describe('provider webhooks through the local gateway, the queue and the worker', () => {
  let queue: LocalQueue;
  let service: Service;
  let secrets: ProviderSecrets;
  let answers: ReturnType<typeof captureAnswers>;

  beforeEach(async () => {
    queue = await startLocalQueue({ queueName: `providers-${randomUUID().slice(0, 8)}.fifo`, visibilityTimeoutSeconds: 5 });
    secrets = { stripe: [testSecrets.stripe], twilio: [testSecrets.twilio] };
    const { app } = makeApp({ webhooks: { ...makeProviderWebhooks(), secrets: () => Promise.resolve(secrets) } });
    answers = captureAnswers(app);
    const { logger } = makeCapturingLogger('warn');
    service = await startLoopbackService({ app, logger, queue: { client: queue.client, queueUrl: queue.queueUrl, dlqUrl: queue.dlqUrl } });
  });

  afterEach(async () => {
    await service.stop();
    await queue.stop();
  });

  const send = async (delivery: SignedDelivery) => {
    const res = await fetch(service.url + delivery.url, { method: 'POST', headers: delivery.headers, body: delivery.body });
    return { status: res.status, body: await res.json() };
  };
  const answered = (count: number) => waitFor(`${count} app answers`, () => (answers.length >= count ? answers.slice(0, count) : undefined));

  it('verifies a signed Twilio form webhook and a signed Stripe JSON webhook replayed by the worker', async () => {
    const twilio = makeSignedDelivery('twilio', { id: 'SM0e2e' });
    const stripe = makeSignedDelivery('stripe', { id: 'evt_e2e' });

    const accepted = [await send(twilio), await send(stripe)];
    const replayed = await answered(2);

    expect(accepted.map((res) => res.status)).to.deep.equal([202, 202]);
    expect(replayed.sort((a, b) => a.path.localeCompare(b.path))).to.deep.equal([
      { path: '/webhook/stripe', status: 200, body: { received: true, provider: 'stripe', deliveryId: 'evt_e2e' } },
      { path: '/webhook/twilio', status: 200, body: { received: true, provider: 'twilio', deliveryId: 'SM0e2e' } },
    ]);
  });

  it('answers a provider retry that SQS does not dedupe with {"duplicate":true}, without running the handler again', async () => {
    const stripe = makeSignedDelivery('stripe', { id: 'evt_retried' });

    await send(stripe);
    await answered(1);
    await send(stripe);
    const replayed = await answered(2);

    expect(replayed.map(({ body }) => body)).to.deep.equal([{ received: true, provider: 'stripe', deliveryId: 'evt_retried' }, { duplicate: true }]);
  });

  it('parks a webhook signed with a secret the app lacks, and verifies it after the secret is fixed and the DLQ redriven', async () => {
    secrets = { stripe: ['whsec_outdated'], twilio: [testSecrets.twilio] };
    const stripe = makeSignedDelivery('stripe', { id: 'evt_parked' });

    await send(stripe);
    const [rejected] = await answered(1);
    const parked = await waitFor('the parked message', async () => ((await depth(queue.client, queue.dlqUrl)).visible === 1 ? true : undefined));
    secrets = { stripe: ['whsec_outdated', testSecrets.stripe], twilio: [testSecrets.twilio] };
    const output: string[] = [];
    const exitCode = await redriveCommand.run([], {
      config: {} as LocalConfig,
      out: (line) => output.push(line),
      progress: () => undefined,
      connect: () => Promise.resolve({ client: queue.client, queueUrl: queue.queueUrl, dlqUrl: queue.dlqUrl }),
    });
    const [, recovered] = await answered(2);

    expect(rejected).to.deep.equal({ path: '/webhook/stripe', status: 401, body: { error: { code: 'signature_mismatch', message: 'No Stripe-Signature v1 signature matches the body' } } });
    expect([parked, exitCode, output]).to.deep.equal([true, 0, [`Moved 1 message from ${queue.dlqUrl} to ${queue.queueUrl}.`]]);
    expect(recovered).to.deep.equal({ path: '/webhook/stripe', status: 200, body: { received: true, provider: 'stripe', deliveryId: 'evt_parked' } });
  });
});

describe('provider webhooks replayed by the worker long after API Gateway received them', () => {
  let queue: LocalQueue;
  before(async () => (queue = await startLocalQueue({ queueName: `delayed-${randomUUID().slice(0, 8)}.fifo` })));
  after(() => queue.stop());

  function makeWorker() {
    const { app } = makeApp({ webhooks: makeProviderWebhooks() });
    const answers = captureAnswers(app);
    const { logger } = makeCapturingLogger('warn');
    const metrics = createWorkerMetrics({ write: () => undefined });
    return { handler: createWorkerHandler({ app, logger, metrics, sqs: queue.client, dlqUrl: queue.dlqUrl }), answers };
  }

  /** A Stripe delivery signed `signedBeforeMs` before API Gateway received it, 20 minutes ago. */
  function delayedStripeRecord(id: string, signedBeforeMs: number) {
    const receivedAt = Date.now() - 20 * 60_000;
    const body = JSON.stringify({ id, object: 'event', type: 'charge.succeeded' });
    const signature = signStripe(testSecrets.stripe, Math.floor((receivedAt - signedBeforeMs) / 1000), body);
    return makeEnvelopeRecord({
      path: '/webhook/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: Buffer.from(body),
      receivedAt,
    }, { groupId: '/webhook/stripe' });
  }

  it('verifies a webhook that waited 20 minutes in the queue, against the time API Gateway received it', async () => {
    const { handler, answers } = makeWorker();

    const response = await handler(makeSqsEvent([delayedStripeRecord('evt_waited', 2_000)]), makeLambdaContext());

    expect(response).to.deep.equal({ batchItemFailures: [] });
    expect(answers).to.deep.equal([{ path: '/webhook/stripe', status: 200, body: { received: true, provider: 'stripe', deliveryId: 'evt_waited' } }]);
  });

  it('rejects and parks a webhook that was already stale when API Gateway received it', async () => {
    const { handler, answers } = makeWorker();

    const response = await handler(makeSqsEvent([delayedStripeRecord('evt_stale', 6 * 60_000)]), makeLambdaContext());

    expect(response).to.deep.equal({ batchItemFailures: [] });
    expect(answers.map(({ status, body }) => [status, (body as { error: { code: string } }).error.code])).to.deep.equal([[401, 'timestamp_out_of_tolerance']]);
    expect(await depth(queue.client, queue.dlqUrl)).to.deep.equal({ visible: 1, inFlight: 0 });
  });
});
