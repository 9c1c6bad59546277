import { expect } from 'chai';
import { EnvReader } from '../../../shared/env.ts';
import { readIdempotencySettings } from '../../../shared/idempotency/settings.ts';

describe('readIdempotencySettings', () => {
  it('keeps records in memory for a week by default', () => {
    const env = new EnvReader({});

    expect(readIdempotencySettings(env)).to.deep.equal({ expiresAfterSeconds: 604_800 });
    expect(env.problems).to.deep.equal([]);
  });

  it('reads the DynamoDB table and the record lifetime', () => {
    const env = new EnvReader({ IDEMPOTENCY_TABLE: 'webhook-intake-deliveries', IDEMPOTENCY_TTL_SECONDS: '259200' });

    expect(readIdempotencySettings(env)).to.deep.equal({
      tableName: 'webhook-intake-deliveries',
      expiresAfterSeconds: 259_200,
    });
    expect(env.problems).to.deep.equal([]);
  });

  it('lists every problem at once', () => {
    const env = new EnvReader({ IDEMPOTENCY_TABLE: 'no', IDEMPOTENCY_TTL_SECONDS: '1.5' });

    readIdempotencySettings(env);

    expect(env.problems).to.deep.equal([
      'IDEMPOTENCY_TABLE must be a DynamoDB table name: 3 to 255 letters, digits, _ . or - (got "no")',
      'IDEMPOTENCY_TTL_SECONDS must be an integer from 60 to 31536000 (got "1.5")',
    ]);
  });
});
