import { mapStack } from './stack-trace.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(value: string): value is LogLevel {
  return value in rank;
}

/**
 * A JSON-lines logger: one object per line with `level`, `message` and `time`, then the
 * bound and per-call fields. `write` defaults to stdout, where Lambda and CloudWatch read it.
 */
export function createLogger(
  options: { level?: LogLevel; fields?: LogFields; write?: (line: string) => void } = {},
): Logger {
  const threshold = rank[options.level ?? 'info'];
  const bound = options.fields ?? {};
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));

  const log = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (rank[level] < threshold) return;
    write(JSON.stringify({ level, message, time: new Date().toISOString(), ...bound, ...fields }));
  };

  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger({ ...options, fields: { ...bound, ...fields } }),
  };
}

/** Milliseconds since a `performance.now()` reading, to a hundredth: a log line's durations. */
export function elapsedMs(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}

/** Error fields for a log line: name, message, code and stack (mapped to the sources), never the request body. */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { code?: unknown }).code;
  return { errorName: error.name, errorMessage: error.message, ...(code === undefined ? {} : { errorCode: code }), stack: error.stack && mapStack(error.stack) };
}
