import { cpSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface Instruction {
  stage: number;
  keyword: string;
  args: string;
}

/** Dockerfile instructions in order, with continuation lines joined and comments dropped. */
export function parseDockerfile(path: string): Instruction[] {
  const logical = readFileSync(path, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  let stage = -1;
  return logical.map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() === 'FROM') stage += 1;
    return { stage, keyword: keyword.toUpperCase(), args: rest.join(' ') };
  });
}

/** Each COPY of the last stage: sources in the build stage (relative to /src), target in the task root. */
export function runtimeCopyPlan(instructions: Instruction[]): { sources: string[]; target: string }[] {
  const finalStage = Math.max(...instructions.map((i) => i.stage));
  return instructions.filter((i) => i.stage === finalStage && i.keyword === 'COPY').map((copy) => {
    const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    const target = parts.at(-1)!.replace(/^\$\{LAMBDA_TASK_ROOT\}\/?/, '');
    return { sources: parts.slice(0, -1).map((source) => source.replace(/^\/src\//, '')), target };
  });
}

/** Copies what the last stage copies into `taskRoot`, as `docker build` does: a file lands in the target folder; a folder's contents become the target. */
export function copyIntoTaskRoot(instructions: Instruction[], taskRoot: string): void {
  for (const { sources, target } of runtimeCopyPlan(instructions)) {
    for (const source of sources) {
      cpSync(source, statSync(source).isDirectory() ? join(taskRoot, target) : join(taskRoot, target, basename(source)), { recursive: true });
    }
  }
}
