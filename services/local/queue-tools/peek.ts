import { parseArgs } from 'node:util';
import { readCount, type Command } from './command.ts';
import { describeDlqMessage, formatAge, type DlqEntry } from './dlq-entry.ts';
import { countVisible, walkQueue } from './walk-queue.ts';

export const peekCommand: Command = {
  summary: 'list DLQ messages decoded (method, path, reason, receives, age) without consuming them',
  usage: `Usage: npm run queue -- peek [--max N] [--json]

Lists DLQ messages decoded with the worker's decoder: method, path, why they are there, how
often they were received, and their age. Nothing is consumed: each message is received, read
and made visible again at once (which adds one to its receive count).

A FIFO queue hands out no later message of a group while an earlier one is held, so peek
shows the first messages of each group (up to 10 per group on SQS, 1 on fauxqs) and says how
many it could not show.

Reasons: http_status (the app answered 4xx), undecodable (not a request we can rebuild),
max_receives (retried maxReceiveCount times, then moved by the queue's redrive policy).

Options:
  --max N   show at most N messages (default 100)
  --json    print one JSON object: {"messages": [...], "notShown": n}`,

  async run(argv, context) {
    const { values } = parseArgs({ args: argv, options: { max: { type: 'string' }, json: { type: 'boolean', default: false } } });
    const max = readCount('max', values.max, 100);
    const { client, dlqUrl } = await context.connect();
    const entries: DlqEntry[] = [];
    await walkQueue(client, dlqUrl, { holdSeconds: 30, max }, (messages) => {
      entries.push(...messages.map((message) => describeDlqMessage(message)));
      return Promise.resolve({ kept: messages });
    });
    const notShown = Math.max(0, (await countVisible(client, dlqUrl)) - entries.length);

    if (values.json) {
      context.out(JSON.stringify({ messages: entries, notShown }));
      return 0;
    }
    if (entries.length === 0) context.out(`The DLQ is empty (${dlqUrl}).`);
    for (const entry of entries) {
      context.out(`${entry.messageId}  ${entry.method ?? '-'} ${printable(entry.path ?? '-')}  ${entry.reason}  receives ${entry.receiveCount}  age ${formatAge(entry.ageSeconds)}`);
      context.out(`    group ${entry.groupId ?? '-'}  shape ${entry.shape}${entry.detail ? `  ${printable(entry.detail)}` : ''}`);
    }
    if (notShown > 0) context.out(`${notShown} more not shown: later messages of the groups above, or past --max.`);
    return 0;
  },
};

/**
 * A sender chose the path (API Gateway decodes `%1B` in it), and a detail may quote it: with a
 * control character, such as a terminal escape sequence, it is printed as JSON, escaped.
 */
function printable(text: string): string {
  return /\p{Cc}/u.test(text) ? JSON.stringify(text) : text;
}
