import { isObject } from '../../shared/is-object.ts';

// Field names every line carries or the line's layout already shows.
const shownApart = new Set(['level', 'message', 'time', 'service', 'function', 'stack']);
const colours: Record<string, string> = { debug: '\x1b[2m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };
const reset = '\x1b[0m';

/**
 * One of the logger's JSON lines as a person reads it in a terminal:
 * `12:00:01.234 info  [worker] queue record  outcome=done path=/webhook`. A string field
 * without spaces prints bare, anything else as JSON; a stack follows on its own lines. A
 * line that is not a JSON object passes through as it is.
 */
export function formatPretty(line: string, colour = false): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    // Not one of ours: shown as written.
    return line;
  }
  if (!isObject(entry)) return line;
  const fields = entry;
  const level = typeof fields.level === 'string' ? fields.level : '';
  const time = typeof fields.time === 'string' ? fields.time.slice(11, 23) : '';
  const source = typeof fields.function === 'string' ? `[${fields.function}] ` : '';
  const rest = Object.entries(fields)
    .filter(([name]) => !shownApart.has(name))
    // Bare only when printable: a control character (an escape sequence in a logged path) goes
    // through JSON.stringify, escaped, rather than to the terminal.
    .map(([name, value]) => `${name}=${typeof value === 'string' && /^[^\s"=\p{Cc}]+$/u.test(value) ? value : escapeControls(JSON.stringify(value))}`);
  const head = `${time} ${paint(level.padEnd(5), colours[level], colour)} ${source}${typeof fields.message === 'string' ? fields.message : ''}`;
  // A stack may quote what a caller sent (a JSON parse error quotes the body): its control
  // characters but line breaks and tabs are shown escaped.
  const stack = typeof fields.stack === 'string' ? `\n${paint(escapeControls(fields.stack, /[^\P{Cc}\n\t]/gu), colours.debug, colour)}` : '';
  return `${[head, ...rest].join('  ')}${stack}`;
}

/**
 * Control characters as `\uXXXX`. JSON.stringify escapes only those below U+0020, and DEL
 * (U+007F) and the C1 controls (U+0080 to U+009F) can drive a terminal too.
 */
function escapeControls(text: string, controls = /\p{Cc}/gu): string {
  return text.replace(controls, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function paint(text: string, code: string | undefined, colour: boolean): string {
  return colour && code ? `${code}${text}${reset}` : text;
}
