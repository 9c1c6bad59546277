// A tiny server speaking SSM's JSON protocol (POST, `X-Amz-Target: AmazonSSM.GetParameters`,
// `application/x-amz-json-1.1`) on 127.0.0.1, so the real @aws-sdk/client-ssm can be tested
// offline. It answers GetParameters only, the way the API reference describes:
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredParameter {
  value: string;
  type?: 'String' | 'StringList' | 'SecureString';
}

export interface GetParametersRequest {
  target: string | undefined;
  Names: string[];
  WithDecryption?: boolean;
}

/** An error answer (`{"__type","message"}`, status 400 unless told), or no answer at all. */
export type ScriptedFailure = { type: string; message: string; status?: number } | 'hang';

export interface SsmServer {
  /** For AWS_ENDPOINT_URL_SSM. */
  endpoint: string;
  parameters: Map<string, StoredParameter>;
  /** Every request received, in order, failed ones included. */
  requests: GetParametersRequest[];
  /** Answers given, one per request, before normal service resumes. */
  failures: ScriptedFailure[];
  close(): Promise<void>;
}

const secretsManagerPrefix = '/aws/reference/secretsmanager/';

/** Starts the server on 127.0.0.1 with the given String parameters (or typed ones). */
export async function startSsmServer(parameters: Record<string, string | StoredParameter> = {}): Promise<SsmServer> {
  const state: Omit<SsmServer, 'endpoint' | 'close'> = {
    parameters: new Map(Object.entries(parameters).map(([name, p]) => [name, typeof p === 'string' ? { value: p } : p])),
    requests: [],
    failures: [],
  };
  const server = createServer((req, res) => void handle(state, req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    ...state,
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function handle(state: Omit<SsmServer, 'endpoint' | 'close'>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const target = req.headers['x-amz-target'] as string | undefined;
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Omit<GetParametersRequest, 'target'>;
  state.requests.push({ target, ...body });

  const failure = state.failures.shift();
  if (failure === 'hang') return;
  if (failure) return answer(res, failure.status ?? 400, { __type: failure.type, message: failure.message });
  if (target !== 'AmazonSSM.GetParameters') {
    return answer(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
  }
  if (!body.WithDecryption && body.Names.some((name) => name.startsWith(secretsManagerPrefix))) {
    return answer(res, 400, { __type: 'ValidationException', message: 'WithDecryption flag must be True for retrieving a Secret Manager secret.' });
  }
  const found = body.Names.filter((name) => state.parameters.has(name));
  answer(res, 200, {
    Parameters: found.map((name) => toParameter(name, state.parameters.get(name) as StoredParameter, body.WithDecryption === true)),
    InvalidParameters: body.Names.filter((name) => !state.parameters.has(name)),
  });
}

function toParameter(name: string, stored: StoredParameter, decrypt: boolean): Record<string, unknown> {
  const type = stored.type ?? 'String';
  // Without WithDecryption a SecureString comes back as its KMS ciphertext.
  const value = type === 'SecureString' && !decrypt ? `AQICAH${Buffer.from(stored.value).toString('base64')}` : stored.value;
  return {
    Name: name,
    Type: type,
    Value: value,
    Version: 1,
    LastModifiedDate: 1_764_000_000,
    ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${name}`,
    DataType: 'text',
  };
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'a7c0c6f2-0000-4000-8000-000000000001' });
  res.end(JSON.stringify(body));
}
