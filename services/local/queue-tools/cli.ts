import { loadLocalConfig } from '../local-config.ts';
import type { QueueTarget } from '../../server/queue-target.ts';
import { connectQueue } from '../queue-target.ts';
import type { Command } from './command.ts';
import { UsageError } from './errors.ts';
import { peekCommand } from './peek.ts';
import { redriveCommand } from './redrive.ts';
import { replayCommand } from './replay.ts';
import { sendCommand } from './send.ts';
import { statsCommand } from './stats.ts';

const commands: Record<string, Command> = {
  stats: statsCommand,
  peek: peekCommand,
  replay: replayCommand,
  redrive: redriveCommand,
  send: sendCommand,
};

interface CliIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
}

const overview = `Usage: npm run queue -- <command> [options]

Operates the webhook queue and its DLQ: the local fauxqs queue of a running \`npm start\`
(127.0.0.1:LOCAL_QUEUE_PORT, default 9324), or a real SQS queue when QUEUE_URL is set
(DLQ_URL defaults to the queue's redrive target; AWS credentials and region as usual).

Commands:
${Object.entries(commands).map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`).join('\n')}

Run \`npm run queue -- <command> --help\` for a command's options.`;

/**
 * The queue tools. Resolves to the exit code: 0 done, 1 the operation failed or left work
 * undone, 2 bad arguments (with a message saying which).
 */
export async function runQueueCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(overview + '\n');
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview + '\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`Unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}.\nRun \`npm run queue -- --help\` for help.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.usage + '\n');
    return 0;
  }

  let target: Promise<QueueTarget> | undefined;
  try {
    const config = await loadLocalConfig(io.env);
    return await command.run(rest, {
      config,
      out: (line) => io.stdout(line + '\n'),
      progress: (line) => io.stderr(line + '\n'),
      connect: () => (target ??= connectQueue(config)),
    });
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`${name}: ${(error as Error).message}\nRun \`npm run queue -- ${name} --help\` for its options.\n`);
      return 2;
    }
    io.stderr(`${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    if (target) (await target.catch(() => undefined))?.client.destroy();
  }
}

/** node:util parseArgs throws TypeErrors with these codes for unknown options and missing values. */
function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}
