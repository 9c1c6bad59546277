// Serves a user pool's JWKS on 127.0.0.1, and a JWKS cache that reads it there.
//
// CognitoJwtVerifier derives the JWKS URI from the pool id (https://cognito-idp.<region>
// .amazonaws.com/<pool>/.well-known/jwks.json) and takes no jwksUri; what aws-jwt-verify lets us
// change is the JWKS cache (`CognitoJwtVerifier.create(props, { jwksCache })`) and, inside
// SimpleJwksCache, the `fetcher`. The fetcher below maps that URI to this server, so the real
// cache, its kid lookup and its penalty box (one refetch per 10 s for an unknown kid) all run.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { SigningKey } from './cognito-tokens.ts';

export interface JwksServer {
  /** Keys published; change it to rotate. */
  keys: SigningKey[];
  /** Paths fetched, in order. */
  fetches: string[];
  /** A JWKS cache whose fetcher reads this server and refuses any other host. */
  jwksCache: SimpleJwksCache;
  /** `http://127.0.0.1:<port>`: serves `<anything>/.well-known/jwks.json`. */
  url: string;
  close(): Promise<void>;
}

const cognitoHost = /^https:\/\/(?:issuer-)?cognito-idp\.[a-z0-9-]+\.amazonaws\.com(\/.*)$/;

export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const fetches: string[] = [];
  const state = { keys };
  const server = createServer((req, res) => {
    fetches.push(req.url ?? '');
    if (!req.url?.endsWith('/.well-known/jwks.json')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: state.keys.map((key) => key.jwk) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const fetcher = {
    fetch: async (uri: string): Promise<ArrayBuffer> => {
      const path = cognitoHost.exec(uri)?.[1];
      if (path === undefined) throw new FetchError(uri, 'test fetcher only serves Cognito JWKS URIs');
      // As aws-jwt-verify's own fetcher does, every failure becomes a FetchError naming the URI.
      const response = await fetch(`http://127.0.0.1:${port}${path}`).catch((error: unknown) => {
        throw new FetchError(uri, (error as Error).message);
      });
      if (response.status !== 200) throw new FetchError(uri, `Status code is ${response.status}, expected 200`);
      return response.arrayBuffer();
    },
  };

  return {
    get keys() {
      return state.keys;
    },
    set keys(value) {
      state.keys = value;
    },
    fetches,
    jwksCache: new SimpleJwksCache({ fetcher }),
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
