// How Lambda starts Node, as far as the benchmarks need to imitate it.

/**
 * The environment of both functions as deployed (the image sets no NODE_OPTIONS) with
 * infra/service.yaml's variables, except DEPLOYMENT_ID: without it config makes no SSM call,
 * which this machine could not answer. The DLQ URL makes the worker build its SQS client.
 */
export const lambdaEnv = {
  AWS_REGION: 'eu-west-1',
  LOG_LEVEL: 'info',
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks-dlq.fifo',
};

/**
 * The V8 limits Lambda's Node.js bootstrap (/var/runtime/bootstrap in the base image) sets
 * for a function of `memoryMB`: new space = memory / 10, semi-space = half of it, old space =
 * the rest. Without them V8 lets the young generation grow to 3 × 16 MB.
 * https://github.com/aws/aws-lambda-base-images (nodejs branches)
 */
export function lambdaV8Flags(memoryMB: number): string[] {
  const newSpace = Math.floor(memoryMB / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMB - newSpace}`];
}

/** MemorySize of each function in infra/service.yaml, which sets its V8 limits. */
export const functionMemoryMB = { http: 512, worker: 1024 } as const;
