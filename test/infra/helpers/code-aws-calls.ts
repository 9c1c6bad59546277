import { existsSync, readFileSync } from 'node:fs';
import { reachableInputs } from '../../../scripts/bundle.ts';

/** One AWS API (or AWS-hosted endpoint) a function's code can call. */
export interface AwsCall {
  /** The IAM action it needs (`ssm:GetParameters`), or undefined for an unsigned HTTPS call. */
  action?: string;
  /** The endpoint it reaches, as a VPC endpoint service name suffix (`ssm`, `dynamodb`, `cognito-idp`). */
  endpoint: string;
  /** Where the call comes from (a source file, or a library). */
  from: string;
  /** Some calls happen only in some configurations: decided from the function's environment. */
  when?: (environment: Record<string, string>) => boolean;
}

interface Metafile {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
  outputs: Record<string, { entryPoint?: string }>;
}

// Calls made inside libraries, which `new XxxCommand(` in our sources cannot show.
const libraryCalls: { module: RegExp; calls: Omit<AwsCall, 'from'>[]; source: string }[] = [
  {
    // Powertools Idempotency's DynamoDB persistence layer: GetItem, PutItem, UpdateItem, DeleteItem.
    module: /^node_modules\/@aws-lambda-powertools\/idempotency\/lib\/esm\/persistence\/DynamoDBPersistenceLayer\.js$/,
    calls: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'].map((operation) => ({ action: `dynamodb:${operation}`, endpoint: 'dynamodb' })),
    source: 'https://docs.aws.amazon.com/powertools/typescript/latest/features/idempotency/#iam-permissions',
  },
  {
    // aws-jwt-verify downloads the user pool's JWKS (an unsigned HTTPS GET to cognito-idp) to
    // verify Cognito tokens; with AUTH_MODE=iam the app verifies no token.
    module: /^node_modules\/aws-jwt-verify\/dist\/esm\/https\.js$/,
    calls: [{ endpoint: 'cognito-idp', when: (environment) => environment.AUTH_MODE !== 'iam' }],
    source: 'https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html',
  },
];

// @aws-sdk/client-<name> → IAM service prefix and endpoint name, where they differ from <name>.
const clientServices: Record<string, string> = { 'secrets-manager': 'secretsmanager', 'cloudwatch-logs': 'logs' };

/**
 * Every AWS call the code bundled from `entry` (a source path, as esbuild's metafile names it)
 * can make: each `new XxxCommand(` in a project source file reachable from the entry, static
 * and dynamic imports alike (`dist/meta.json`, written by `npm run build`), attributed to the one
 * `@aws-sdk/client-*` that file imports, plus the calls of the libraries above.
 */
export function awsCallsOf(entry: string, metafilePath = 'dist/meta.json'): AwsCall[] {
  if (!existsSync(metafilePath)) throw new Error(`${metafilePath} is missing: run npm run build`);
  const metafile = JSON.parse(readFileSync(metafilePath, 'utf8')) as Metafile;
  if (!metafile.inputs[entry]) throw new Error(`${entry} is not an input of ${metafilePath}`);

  const calls: AwsCall[] = [];
  for (const file of reachableInputs(metafile, entry)) {
    if (file.startsWith('node_modules/')) {
      for (const library of libraryCalls) if (library.module.test(file)) calls.push(...library.calls.map((call) => ({ ...call, from: `${file} (${library.source})` })));
      continue;
    }
    // Inputs in a plugin's namespace (`builtin:node:fs`) are not files.
    if (/^[a-z]+:/.test(file)) continue;
    calls.push(...sdkCallsIn(file, readFileSync(file, 'utf8')));
  }
  return calls;
}

/** The `new XxxCommand(` calls in one source file, attributed to the SDK client it imports. */
export function sdkCallsIn(file: string, source: string): AwsCall[] {
  const commands = [...source.matchAll(/\bnew (\w+)Command\(/g)].map((match) => match[1] ?? '');
  if (commands.length === 0) return [];
  const clients = [...new Set([...source.matchAll(/['"]@aws-sdk\/client-([a-z0-9-]+)['"]/g)].map((match) => match[1] ?? ''))];
  if (clients.length !== 1) throw new Error(`${file}: cannot tell which AWS service its commands (${commands.join(', ')}) call: it imports ${clients.length} SDK clients`);
  const service = clientServices[clients[0] ?? ''] ?? clients[0] ?? '';
  return [...new Set(commands)].map((command) => ({ action: `${service}:${command}`, endpoint: service, from: file }));
}

/** The source entry esbuild bundled into `output` (`dist/http.mjs` → `services/http/handler.ts`). */
export function entryOfOutput(output: string, metafilePath = 'dist/meta.json'): string {
  const metafile = JSON.parse(readFileSync(metafilePath, 'utf8')) as Metafile;
  const entry = metafile.outputs[output]?.entryPoint;
  if (!entry) throw new Error(`${output} is not an entry output of ${metafilePath}`);
  return entry;
}
