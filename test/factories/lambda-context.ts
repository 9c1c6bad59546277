import type { Context } from 'aws-lambda';

/** A Lambda context whose deadline is `remainingMs` from now. */
export function makeLambdaContext(overrides: { remainingMs?: number; functionName?: string } = {}): Context {
  const deadline = Date.now() + (overrides.remainingMs ?? 60_000);
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: overrides.functionName ?? 'webhook-intake-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:webhook-intake-test',
    memoryLimitInMB: '512',
    awsRequestId: 'b5bd7e3c-0000-4000-8000-000000000001',
    logGroupName: '/aws/lambda/webhook-intake-test',
    logStreamName: '2026/11/25/[$LATEST]abc',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
