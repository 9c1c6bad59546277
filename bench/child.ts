import { spawn } from 'node:child_process';

interface ChildRun<T> {
  /** Wall time from spawn to exit, in milliseconds. */
  wallMs: number;
  /** The JSON the child reported with `reportResult`, if any. */
  result: T | undefined;
}

/** Starts the line a child reports its result on; the cold-start driver (plain JS) writes it too. */
export const resultMarker = 'BENCH_RESULT ';

/** Reports a child's result to the parent on stderr; stdout stays free for the app's logs. */
export function reportResult(result: unknown): void {
  process.stderr.write(`${resultMarker}${JSON.stringify(result)}\n`);
}

/**
 * Runs `node ...args` (this Node, or the binary `node` names) in a fresh process with only the
 * environment given (plus PATH), its stdout discarded, and times it. Rejects when the child
 * fails, with its stderr.
 */
export function runNode<T>(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000, node = process.execPath): Promise<ChildRun<T>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: timeoutMs,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`node ${args.join(' ').slice(0, 120)} exited with ${signal ?? code}:\n${stderr.slice(-2000)}`));
        return;
      }
      const line = stderr.split('\n').find((l) => l.startsWith(resultMarker));
      resolve({ wallMs, result: line === undefined ? undefined : (JSON.parse(line.slice(resultMarker.length)) as T) });
    });
  });
}

/** Runs a TypeScript probe (bench/probes/) in a fresh process (of the Node binary `node`) and returns what it reported. */
export async function runProbe<T>(path: string, env: Record<string, string> = {}, node = process.execPath): Promise<T> {
  const { result } = await runNode<T>(['--import', 'tsx', path], env, 120_000, node);
  if (result === undefined) throw new Error(`${path} reported nothing`);
  return result;
}
