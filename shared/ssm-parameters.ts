import type { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from './errors.ts';

/** How to reach SSM. Every value comes from the environment given to `loadConfig`. */
export interface SsmConnection {
  region: string;
  /** AWS_ENDPOINT_URL_SSM, e.g. a local SSM-protocol server; the SDK default otherwise. */
  endpoint?: string;
  /** Explicit keys when the environment has them; else the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Time allowed to one attempt (connection and answer). */
  timeoutMs: number;
  /** Attempts in all, first one included; throttling and network errors are retried. */
  maxAttempts: number;
}

/** Reads parameters by name, decrypted; the map holds every requested name or the call throws. */
export type ParameterReader = (names: readonly string[]) => Promise<Map<string, string>>;

// GetParameters takes at most 10 names per call.
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
const maxNamesPerCall = 10;

/**
 * A reader that fetches parameters in one `GetParameters` call. The SDK is imported and the
 * client built on the first call only, so a cold start that needs no parameter pays nothing.
 * A missing parameter or a failed call throws a `ConfigError` naming each path and the cause.
 */
export function createParameterReader(connection: SsmConnection): ParameterReader {
  let client: Promise<SsmApi> | undefined;
  return async (names) => {
    if (names.length === 0 || names.length > maxNamesPerCall) {
      throw new RangeError(`GetParameters takes 1 to ${maxNamesPerCall} names (got ${names.length})`);
    }
    client ??= createClient(connection);
    const { ssm, GetParametersCommand } = await client;
    let output;
    try {
      output = await ssm.send(new GetParametersCommand({ Names: [...names], WithDecryption: true }));
    } catch (error) {
      const cause = describeFailure(error, connection);
      throw new ConfigError(names.map((name) => `${name}: ${cause}`), { cause: error });
    }
    const found = new Map<string, string>();
    for (const parameter of output.Parameters ?? []) {
      if (parameter.Name !== undefined && parameter.Value !== undefined) found.set(parameter.Name, parameter.Value);
    }
    const missing = names.filter((name) => !found.has(name));
    if (missing.length > 0) {
      throw new ConfigError(missing.map((name) => `${name}: parameter not found in region ${connection.region}`));
    }
    return found;
  };
}

interface SsmApi {
  ssm: SSMClient;
  GetParametersCommand: typeof GetParametersCommand;
}

async function createClient(connection: SsmConnection): Promise<SsmApi> {
  const { SSMClient, GetParametersCommand } = await import('@aws-sdk/client-ssm');
  const ssm = new SSMClient({
    region: connection.region,
    endpoint: connection.endpoint,
    credentials: connection.credentials,
    maxAttempts: connection.maxAttempts,
    // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes
    // and keeps waiting; the timeout error is what makes the SDK's retry strategy try again.
    requestHandler: {
      connectionTimeout: connection.timeoutMs,
      requestTimeout: connection.timeoutMs,
      throwOnRequestTimeout: true,
    },
  });
  return { ssm, GetParametersCommand };
}

function describeFailure(error: unknown, connection: SsmConnection): string {
  const e = error as { name?: string; message?: string; $metadata?: { attempts?: number } };
  const what = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  const attempts = e.$metadata?.attempts ?? 1;
  if (e.name === 'AccessDeniedException') {
    return `access denied, the role needs ssm:GetParameters on it (and kms:Decrypt for a SecureString) (${what})`;
  }
  if (e.name === 'TimeoutError') {
    return `no answer within ${connection.timeoutMs} ms, gave up after ${attempts} attempt(s) (${what})`;
  }
  return `GetParameters failed after ${attempts} attempt(s) (${what})`;
}
