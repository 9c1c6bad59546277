import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Resolves a Lambda handler string ("module.function") in a task root the way the Node.js
 * runtime interface client does: the module file as is, then `.js`, `.mjs`, `.cjs`
 * (aws-lambda-nodejs-runtime-interface-client, src/UserFunction.js `_tryRequire`).
 */
export async function resolveHandler(taskRoot: string, handlerString: string): Promise<(...args: unknown[]) => unknown> {
  const match = /^([^.]+)\.(.+)$/.exec(handlerString);
  if (!match) throw new Error(`Bad handler string "${handlerString}"`);
  const [, moduleName = '', functionPath = ''] = match;
  const file = ['', '.js', '.mjs', '.cjs'].map((ext) => join(taskRoot, moduleName + ext)).find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`No module for "${handlerString}" in ${taskRoot}`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = functionPath.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], module);
  if (typeof fn !== 'function') throw new Error(`"${handlerString}" is not an exported function of ${file}`);
  return fn as (...args: unknown[]) => unknown;
}
