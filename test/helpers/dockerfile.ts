import { readFileSync } from 'node:fs';

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
