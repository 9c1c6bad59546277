import type { SQSClient } from '@aws-sdk/client-sqs';
import { createLocalSqsClient } from '../../services/local/local-queue.ts';

/** What a fault answers instead of SQS: an error to throw, or the output of the command. */
export type SqsFault = Error | { output: Record<string, unknown> };

/**
 * An SQS client for a local queue whose calls `fault` may answer instead of SQS (by command
 * name, e.g. `ChangeMessageVisibilityBatchCommand`, and input); undefined lets the call through.
 * This stubs AWS itself, for the answers fauxqs never gives: throttling, refused entries.
 */
export function createFaultySqsClient(endpoint: string, fault: (command: string, input: Record<string, unknown>) => SqsFault | undefined): SQSClient {
  const client = createLocalSqsClient(endpoint);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const answer = fault(context.commandName ?? '', args.input as Record<string, unknown>);
      if (answer instanceof Error) throw answer;
      if (answer) return { output: { $metadata: {}, ...answer.output }, response: {} };
      return next(args);
    },
    { step: 'initialize', name: 'sqsFaults' },
  );
  return client;
}
