import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

// `    at fn (file:///var/task/chunks/x.mjs:1:2345)`, `    at file:///…:1:2`, `    at /abs/x.js:3:4`
const framePattern = /^(\s+at (?:.+? \()?)(file:\/\/\/[^\s()]+|\/[^\s()]+):(\d+):(\d+)(\)?)$/;
const maps = new Map<string, SourceMap | undefined>();

/**
 * Maps each frame of `stack` from a bundle position to its source file, line and column, reading
 * a bundle's source map the first time one of its frames is logged. The image runs Node without
 * `--enable-source-maps`, which parses every loaded map at cold start; with the flag on, Node
 * has mapped the stack already and it comes back as it is.
 */
export function mapStack(stack: string): string {
  if (process.sourceMapsEnabled) return stack;
  return stack
    .split('\n')
    .map((line) => {
      const frame = framePattern.exec(line);
      if (!frame) return line;
      const [, head, location = '', lineNumber, column, tail] = frame;
      const entry = sourceMapOf(location)?.findEntry(Number(lineNumber) - 1, Number(column) - 1);
      if (!entry || !('originalSource' in entry)) return line;
      // Sources are relative to the map (`../shared/app.ts`); the project-relative path reads best.
      const source = entry.originalSource.replace(/^(\.\.\/)+/, '');
      return `${head}${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${tail}`;
    })
    .join('\n');
}

/** The map esbuild writes beside a bundle (`x.mjs.map`), parsed once; none for other files. */
function sourceMapOf(location: string): SourceMap | undefined {
  if (maps.has(location)) return maps.get(location);
  let map: SourceMap | undefined;
  try {
    const file = location.startsWith('file:') ? fileURLToPath(location) : location;
    if (/\.[cm]?js$/.test(file)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
  } catch {
    // No map beside it (a plain module) or an unreadable one: the frame stays as Node wrote it.
  }
  maps.set(location, map);
  return map;
}
