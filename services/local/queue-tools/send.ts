import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { isQueuedPath } from '../../../shared/queue-message/routes.ts';
import { readCount, type Command } from './command.ts';
import { UsageError } from './errors.ts';

const typeByExtension: Record<string, string> = {
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.html': 'text/html',
};

export const sendCommand: Command = {
  summary: 'post a sample webhook (JSON, form or file) through the local gateway',
  usage: `Usage: npm run queue -- send [--json TEXT | --form TEXT | --file PATH] [options]

Posts a webhook to the running local server (npm start), which queues it like API Gateway;
prints each answer. Without a body option it sends a small sample JSON event.

Options:
  --json TEXT           a JSON body (checked), as application/json
  --form TEXT           a url-encoded form body, e.g. 'a=1&b=two', as application/x-www-form-urlencoded
  --file PATH           the file's exact bytes; content type from --content-type or the extension
  --content-type TYPE   override the content type
  --path PATH           /webhook or /webhook/<provider> (default /webhook)
  --header 'NAME: VALUE'  an extra header; repeat for more
  --count N             post N times, one after another (default 1)
  --url URL             the local server (default http://HOST:PORT from the environment)

Exit code 0 when every answer was 2xx, else 1.`,

  async run(argv, context) {
    const { values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'string' },
        form: { type: 'string' },
        file: { type: 'string' },
        'content-type': { type: 'string' },
        path: { type: 'string', default: '/webhook' },
        header: { type: 'string', multiple: true, default: [] },
        count: { type: 'string' },
        url: { type: 'string' },
      },
    });
    const problems: string[] = [];
    const sources = (['json', 'form', 'file'] as const).filter((name) => values[name] !== undefined);
    if (sources.length > 1) problems.push(`give one of --json, --form, --file (got ${sources.map((s) => `--${s}`).join(', ')})`);
    if (values.json !== undefined && !isJson(values.json)) problems.push('--json is not valid JSON');
    if (!isQueuedPath(values.path)) problems.push(`--path must be /webhook or /webhook/<provider> (got "${values.path}")`);
    const headers: Record<string, string> = {};
    for (const header of values.header) {
      const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(header);
      if (match) headers[match[1]!.toLowerCase()] = match[2]!;
      else problems.push(`--header must look like 'Name: value' (got "${header}")`);
    }
    const base = values.url ?? `http://${context.config.host}:${context.config.port}`;
    if (!URL.canParse(base)) problems.push(`--url is not a URL (got "${base}")`);
    let count = 1;
    try {
      count = readCount('count', values.count, 1, 10_000);
    } catch (error) {
      problems.push((error as Error).message);
    }
    if (problems.length > 0) throw new UsageError(problems.join('\n'));

    const body = await bodyOf(values);
    if (values['content-type']) body.contentType = values['content-type'];
    const url = new URL(values.path, base);
    const statuses = new Map<number, number>();
    for (let sent = 1; sent <= count; sent += 1) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': body.contentType, ...headers }, body: body.bytes }).catch((error: unknown) => {
        throw new Error(`No answer from ${url.origin}: is the local server running (npm start)?`, { cause: error });
      });
      const text = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (count === 1) context.out(`${response.status} ${text}`);
      else if (sent % 100 === 0 || sent === count) context.progress(`send: ${sent}/${count}`);
    }
    if (count > 1) context.out(`Sent ${count}: ${[...statuses].map(([status, n]) => `${n} × ${status}`).join(', ')}.`);
    return [...statuses.keys()].every((status) => status >= 200 && status < 300) ? 0 : 1;
  },
};

async function bodyOf(values: { json?: string; form?: string; file?: string }): Promise<{ bytes: Buffer; contentType: string }> {
  if (values.form !== undefined) return { bytes: Buffer.from(values.form, 'utf8'), contentType: 'application/x-www-form-urlencoded' };
  if (values.file !== undefined) {
    const bytes = await readFile(values.file).catch((error: unknown) => {
      throw new UsageError(`--file ${values.file} cannot be read: ${(error as Error).message}`);
    });
    return { bytes, contentType: typeByExtension[extname(values.file).toLowerCase()] ?? 'application/octet-stream' };
  }
  const json = values.json ?? JSON.stringify({ id: `evt_${Date.now()}`, type: 'sample.event', data: { amount: 1250, currency: 'EUR' } });
  return { bytes: Buffer.from(json, 'utf8'), contentType: 'application/json' };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    // Not JSON: reported with the other argument problems.
    return false;
  }
}
