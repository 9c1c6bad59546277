import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * The Lambda context the queue consumer and the queue tools hand the worker: its deadline is
 * `timeoutMs` from now, as a function configured with that timeout would see it, or `stopAt()`
 * (epoch ms) when that comes first: a stopping consumer moves it forward.
 */
export function createInvocationContext(functionName: string, timeoutMs: number, stopAt: () => number = () => Infinity): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, Math.min(deadline, stopAt()) - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
