import { createLogger, type Logger, type LogLevel } from '../shared/logger.ts';

/** A real JSON logger whose lines are kept in `lines` (parsed) instead of printed. */
export function makeCapturingLogger(level: LogLevel = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
