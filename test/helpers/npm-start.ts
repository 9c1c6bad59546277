import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { waitFor } from './queue.ts';

export type LogLine = Record<string, unknown>;

export interface NpmStart {
  child: ChildProcess;
  /** Every JSON line written to stdout so far. */
  lines: LogLine[];
  stderr: string[];
  /** The first line with this message whose fields include `where`. */
  find(message: string, where?: LogLine): LogLine | undefined;
  /** Waits for that line. */
  waitForLine(message: string, where?: LogLine, timeoutMs?: number): Promise<LogLine>;
  /** Waits for the `listening` line; resolves with the server's URL. */
  ready(): Promise<string>;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited(): Promise<number | string | null>;
}

/**
 * `npm start` as a user runs it (`services/local/server.ts` under tsx), on free ports of
 * 127.0.0.1; its JSON log lines are collected. Callers kill `child` when done.
 */
export function startNpm(args: string[] = [], env: Record<string, string> = {}): NpmStart {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/local/server.ts', ...args], {
    env: { ...process.env, PORT: '0', LOCAL_QUEUE_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', QUEUE_URL: '', LOCAL_MODE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const stderr: string[] = [];
  const ended = once(child, 'close') as Promise<[number | null, string | null]>;
  createInterface({ input: child.stdout }).on('line', (line) => {
    // A process killed mid-write leaves its last line cut off: kept as text, never thrown here,
    // where mocha would blame whichever test runs next.
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ text: line });
    }
  });
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const find = (message: string, where: LogLine = {}) =>
    lines.find((l) => l.message === message && Object.entries(where).every(([k, v]) => l[k] === v));
  return {
    child,
    lines,
    stderr,
    find,
    waitForLine: (message, where = {}, timeoutMs = 15_000) => waitFor(`a "${message}" line`, () => find(message, where), timeoutMs),
    ready: async () => String((await waitFor('the listening line', () => find('listening'), 30_000)).url),
    exited: async () => {
      const [code, signal] = await ended;
      return code ?? signal;
    },
  };
}
