import { expect } from 'chai';
import { ensureBuilt } from '../../helpers/build.ts';
import { awsCallsOf, sdkCallsIn } from './code-aws-calls.ts';

describe('sdkCallsIn', () => {
  it('attributes each command a file sends to the SDK client it imports', () => {
    const source = "const { SendMessageCommand } = await import('@aws-sdk/client-sqs');\nawait sqs.send(new SendMessageCommand({}));\nnew SendMessageCommand({});";

    expect(sdkCallsIn('park.ts', source)).to.deep.equal([{ action: 'sqs:SendMessage', endpoint: 'sqs', from: 'park.ts' }]);
  });

  it('refuses to guess when a file with commands imports two clients', () => {
    const source = "import '@aws-sdk/client-sqs';\nimport '@aws-sdk/client-ssm';\nnew GetParametersCommand({});";

    expect(() => sdkCallsIn('mixed.ts', source)).to.throw(/mixed\.ts: cannot tell which AWS service its commands \(GetParameters\) call: it imports 2 SDK clients/);
  });
});

describe('awsCallsOf', () => {
  before(() => ensureBuilt(['dist/meta.json']));

  const summary = (entry: string) => [...new Set(awsCallsOf(entry).map((call) => call.action ?? `https ${call.endpoint}`))].sort();

  it('finds what the worker calls: parameters, idempotency records, parking in the DLQ, the JWKS', () => {
    expect(summary('services/worker/handler.ts')).to.deep.equal([
      'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'https cognito-idp', 'sqs:SendMessage', 'ssm:GetParameters',
    ]);
  });

  it('finds no SQS call in the http function, which never parks', () => {
    expect(summary('services/http/handler.ts')).to.not.include('sqs:SendMessage');
  });
});
