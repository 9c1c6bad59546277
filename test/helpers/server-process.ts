import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { waitFor } from './queue.ts';

/** `node server.mjs` running in a child process, its JSON log lines as they come. */
export interface ServerProcess {
  url: string;
  lines: Record<string, unknown>[];
  /** The exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Runs `node server.mjs` in `root` with `env` and nothing else of this process's environment
 * but PATH, and resolves once it logs that it listens (or logs `until`, its url then empty);
 * rejects with its stderr if it exits first.
 */
export async function startServerProcess(root: string, env: Record<string, string>, until = 'listening'): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['server.mjs'], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ text: line });
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let early = false;
  void exited.then(() => (early = true));
  const url = await waitFor(`server.mjs logging ${until}`, () => {
    const line = lines.find((l) => l.message === until);
    if (early && !line) throw new Error(`server.mjs exited before logging ${until}: ${stderr}`);
    if (!line) return undefined;
    return typeof line.url === 'string' ? line.url : '';
  }, 30_000);
  return { url, lines, exited, kill: (signal) => child.kill(signal) };
}
