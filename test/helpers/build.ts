import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Builds dist/ with the project's own build script when a bundle is missing (npm test builds first). */
export function ensureBuilt(bundles: string[]): void {
  if (bundles.every((bundle) => existsSync(bundle))) return;
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
}
