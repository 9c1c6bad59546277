import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBuilt } from './build.ts';

// Runs the handler of a built entry on each event in turn and prints what it answered or threw.
// fauxqs names its queues http://sqs.<region>.localhost:<port>/…, and the SQS client sends to
// the queue URL's host; *.localhost is loopback (RFC 6761), which the driver tells Node.
// With STUB_COGNITO_JWKS=<http://127.0.0.1:port>, AWS itself is stubbed: aws-jwt-verify's HTTPS
// GET of https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json goes to that
// local server instead (node:https's request, replaced before the bundle is imported).
const driver = `
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { readFileSync } from 'node:fs';
const lookup = dns.lookup;
dns.lookup = (name, options, callback) => !name.endsWith('.localhost') ? lookup(name, options, callback)
  : options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
if (process.env.STUB_COGNITO_JWKS) {
  const httpsRequest = https.request;
  https.request = (uri, options, callback) => {
    const url = new URL(String(uri));
    if (!/^cognito-idp\\.[a-z0-9-]+\\.amazonaws\\.com$/.test(url.hostname)) return httpsRequest(uri, options, callback);
    return http.request(process.env.STUB_COGNITO_JWKS + url.pathname, options, callback);
  };
  syncBuiltinESMExports();
}
const { handler } = await import('./' + process.argv[2] + '.mjs');
const events = JSON.parse(readFileSync(process.argv[3], 'utf8'));
for (const event of events) {
  const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: 'bundle-test', functionName: process.argv[2] };
  const answer = await handler(event, context).then((result) => ({ result }), (error) => ({ threw: String(error?.stack ?? error) }));
  process.stdout.write('ANSWER ' + JSON.stringify(answer) + '\\n');
}
`;

export type BundleAnswer = { result: unknown } | { threw: string };

export interface BundleRun {
  /** One per event, in order. */
  answers: BundleAnswer[];
  /** The JSON lines the function logged. */
  lines: Record<string, unknown>[];
}

export interface TaskRoot {
  /** Runs each event through `<name>.handler` in one plain Node process (no tsx), as the Lambda runtime would import it. */
  invoke(name: 'http' | 'worker', events: unknown[], env?: Record<string, string>): Promise<BundleRun>;
  remove(): void;
}

/** The built entries and their chunks, alone in a temporary directory with no node_modules beside them. */
export function makeTaskRoot(): TaskRoot {
  ensureBuilt(['dist/http.mjs', 'dist/worker.mjs']);
  const dir = mkdtempSync(join(tmpdir(), 'task-root-'));
  for (const name of ['http.mjs', 'worker.mjs', 'chunks']) cpSync(join('dist', name), join(dir, name), { recursive: true });
  writeFileSync(join(dir, 'driver.mjs'), driver);
  let runs = 0;
  return {
    invoke: async (name, events, env = {}) => {
      const eventsFile = join(dir, `events-${runs++}.json`);
      writeFileSync(eventsFile, JSON.stringify(events));
      const { stdout } = await promisify(execFile)(process.execPath, ['driver.mjs', name, eventsFile], {
        cwd: dir,
        env: { PATH: process.env.PATH, LOG_LEVEL: 'info', AWS_REGION: 'eu-west-1', ...env },
        maxBuffer: 64 * 1024 * 1024,
      });
      const lines = stdout.trim().split('\n');
      return {
        answers: lines.filter((line) => line.startsWith('ANSWER ')).map((line) => JSON.parse(line.slice('ANSWER '.length)) as BundleAnswer),
        lines: lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>),
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A task root for the enclosing mocha suite: made before its tests, removed after them. */
export function useTaskRoot(): () => TaskRoot {
  let taskRoot: TaskRoot | undefined;
  before(function () {
    this.timeout(120_000);
    taskRoot = makeTaskRoot();
  });
  after(() => taskRoot?.remove());
  return () => {
    if (!taskRoot) throw new Error('useTaskRoot() is read before its suite ran');
    return taskRoot;
  };
}
