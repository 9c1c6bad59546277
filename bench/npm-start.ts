import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

type LogLine = Record<string, unknown> & { message?: string };

export interface RunningService {
  /** `http://127.0.0.1:<port>` as the service logged it. */
  url: string;
  /** Calls `listener` with each JSON log line and the time it arrived (performance.now()). */
  onLog(listener: (line: LogLine, at: number) => void): void;
  stop(): Promise<void>;
}

/**
 * Runs `npm start` as a user would, on free ports (the web server and the in-process queue),
 * and follows its JSON log lines on stdout. It runs in its own process group, so that stop()
 * reaches npm, tsx and the server alike.
 */
export async function startNpmStart(timeoutMs = 30_000): Promise<RunningService> {
  const child = spawn('npm', ['start', '--silent'], {
    // Only what npm needs from the caller's environment: a QUEUE_URL or DEPLOYMENT_ID there
    // would send the benchmark to AWS.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOCAL_QUEUE_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', LOCAL_MODE: 'queued' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const listeners: ((line: LogLine, at: number) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    const at = performance.now();
    if (!text.startsWith('{')) return;
    const line = JSON.parse(text) as LogLine;
    for (const listener of listeners) listener(line, at);
  });

  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not log "listening" within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    listeners.push((line) => {
      if (line.message !== 'listening') return;
      clearTimeout(timer);
      resolve(String(line.url));
    });
    void exited.then(() => reject(new Error(`npm start exited before listening:\n${stderr}`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  return { url, onLog: (listener) => listeners.push(listener), stop };
}
