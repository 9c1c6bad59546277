import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import Koa from 'koa';
import { createHttpHandler } from '../../../services/http/http-handler.ts';
import { makeApiGatewayV1Event, makeApiGatewayV2Event, makeHttpApiV1Event, type RequestSpec } from '../../../factories/api-gateway.ts';
import { makeApp } from '../../../factories/app.ts';
import { makeLambdaContext } from '../../../factories/lambda-context.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';

interface ProxyResult {
  statusCode: number;
  body: string;
  isBase64Encoded: boolean;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const flavours = {
  'REST v1': makeApiGatewayV1Event,
  'HTTP API v2': makeApiGatewayV2Event,
  'HTTP API payload 1.0': makeHttpApiV1Event,
};

function header(result: ProxyResult, name: string): string | undefined {
  return result.headers?.[name] ?? result.multiValueHeaders?.[name]?.join(',');
}

async function call(app: Koa, event: ReturnType<(typeof flavours)[keyof typeof flavours]>): Promise<ProxyResult> {
  return (await createHttpHandler(app)(event, makeLambdaContext())) as ProxyResult;
}

describe('createHttpHandler', () => {
  for (const [flavour, makeEvent] of Object.entries(flavours)) {
    describe(flavour, () => {
      const send = (spec: RequestSpec) => call(makeApp().app, makeEvent(spec));

      it('answers GET /health with 200 JSON', async () => {
        const res = await send({ path: '/health' });

        expect(res.statusCode).to.equal(200);
        expect(JSON.parse(res.body)).to.include({ status: 'ok' });
        expect(header(res, 'content-type')).to.equal('application/json; charset=utf-8');
      });

      it('strips a named stage so the app sees the route path', async () => {
        const res = await send({ path: '/api/orders/7', stage: 'prod' });

        expect(res.statusCode).to.equal(200);
        expect(JSON.parse(res.body)).to.deep.include({ path: '/api/orders/7' });
      });

      it('passes repeated query keys through', async () => {
        const res = await send({ path: '/api/search', query: [['tag', 'a'], ['tag', 'b'], ['q', 'x y']] });

        expect(JSON.parse(res.body)).to.deep.include({ query: { tag: ['a', 'b'], q: 'x y' } });
      });

      const bodies: [string, string, Buffer][] = [
        ['JSON', 'application/json', Buffer.from('{"id":"evt_1","object":"event"}')],
        ['a form with +, & and % in values', 'application/x-www-form-urlencoded', Buffer.from('Body=1%2B1%3D2+%26+100%25&To=%2B15550001111')],
        ['UTF-8 with non-ASCII characters', 'text/plain; charset=utf-8', Buffer.from('Zahlung über 42 € — 東京 ✓', 'utf8')],
      ];
      for (const [name, contentType, body] of bodies) {
        it(`answers the SHA-256 of the exact bytes of ${name}`, async () => {
          const res = await send({ method: 'POST', path: '/webhook', headers: { 'Content-Type': contentType }, body: body.toString('utf8') });

          expect(res.statusCode).to.equal(200);
          expect(JSON.parse(res.body)).to.deep.equal({ received: true, bytes: body.length, sha256: sha256(body), contentType });
        });
      }

      it('decodes a base64 body to its exact bytes', async () => {
        const body = Buffer.from([0x00, 0xff, 0x10, 0x80, 0xc3]);

        const res = await send({ method: 'POST', path: '/webhook', headers: { 'Content-Type': 'application/octet-stream' }, body, base64: true });

        expect(JSON.parse(res.body)).to.include({ bytes: 5, sha256: sha256(body) });
      });

      it('answers 400 invalid_json for malformed JSON', async () => {
        const res = await send({ method: 'POST', path: '/webhook', headers: { 'Content-Type': 'application/json' }, body: '{"amount": 12,' });

        expect(res.statusCode).to.equal(400);
        expect(JSON.parse(res.body).error.code).to.equal('invalid_json');
      });

      it('answers 413 past the body limit', async () => {
        const { app } = makeApp({ bodyLimit: 64 });

        const res = await call(app, makeEvent({ method: 'POST', path: '/webhook', headers: { 'Content-Type': 'text/plain' }, body: 'x'.repeat(65) }));

        expect(res.statusCode).to.equal(413);
        expect(JSON.parse(res.body).error.code).to.equal('payload_too_large');
      });

      it('answers 404 for an unknown route', async () => {
        const res = await send({ path: '/missing' });

        expect(res.statusCode).to.equal(404);
        expect(JSON.parse(res.body)).to.deep.equal({ error: { code: 'not_found', message: 'No route for GET /missing' } });
      });

      it('answers 405 with Allow for the wrong method', async () => {
        const res = await send({ method: 'PUT', path: '/health' });

        expect(res.statusCode).to.equal(405);
        expect(header(res, 'allow')).to.equal('HEAD, GET');
      });

      it('answers 500 with no internal message when the app throws', async () => {
        const { app } = makeApp();
        app.middleware.splice(2, 0, () => {
          throw new Error('secret internals');
        });

        const res = await call(app, makeEvent({ path: '/' }));

        expect(res.statusCode).to.equal(500);
        expect(JSON.parse(res.body)).to.deep.equal({ error: { code: 'internal_error', message: 'Internal server error' } });
      });

      it('uses the API Gateway request id when the caller sends none', async () => {
        const res = await send({ path: '/health', requestId: 'gw-req-42' });

        expect(header(res, 'x-request-id')).to.equal('gw-req-42');
      });
    });
  }

  describe('headers and cookies', () => {
    // A bare Koa app: this exercises the adapter, whatever app it wraps.
    const echo = new Koa();
    echo.use((ctx) => {
      ctx.cookies.set('session', 'abc', { httpOnly: true, secure: false });
      ctx.cookies.set('theme', 'dark', { httpOnly: false, secure: true });
      ctx.body = { cookie: ctx.get('cookie'), multi: ctx.get('x-multi'), ip: ctx.ip, receivedAt: ctx.state.receivedAt };
    });

    it('joins v1 multi-value headers and returns every set-cookie', async () => {
      const res = await call(echo, makeApiGatewayV1Event({ path: '/', headers: { 'X-Multi': ['a', 'b'] }, cookies: ['x=1', 'y=2'], sourceIp: '198.51.100.9' }));

      expect(JSON.parse(res.body)).to.deep.equal({ cookie: 'x=1; y=2', multi: 'a,b', ip: '198.51.100.9' });
      expect(res.multiValueHeaders?.['set-cookie']).to.deep.equal(['session=abc; path=/; httponly', 'theme=dark; path=/; secure']);
    });

    it('turns the v2 cookies array into a Cookie header and set-cookie into cookies', async () => {
      const res = await call(echo, makeApiGatewayV2Event({ path: '/', cookies: ['x=1', 'y=2'], sourceIp: '198.51.100.9' }));

      expect(JSON.parse(res.body)).to.deep.include({ cookie: 'x=1; y=2', ip: '198.51.100.9' });
      expect(res.cookies).to.deep.equal(['session=abc; path=/; httponly', 'theme=dark; path=/; secure']);
      expect(res.headers).not.to.have.property('set-cookie');
    });
  });

  it('keeps the /api prefix for a REST resource /api/{proxy+}', async () => {
    const event = { ...makeApiGatewayV1Event({ path: '/api/users/me' }), resource: '/api/{proxy+}', pathParameters: { proxy: 'users/me' } };

    const res = await call(makeApp().app, event);

    expect(JSON.parse(res.body)).to.deep.include({ path: '/api/users/me' });
  });

  // AuthMode=iam: API Gateway verifies the SigV4 signature on /api and passes the principal in
  // the event; the app trusts that, and nothing else.
  describe('AUTH_MODE=iam', () => {
    const iamApp = () => makeApp({ auth: { mode: 'iam', prefixes: ['/api'] } }).app;
    const caller = { userArn: 'arn:aws:iam::123456789012:user/ops', accountId: '123456789012', userId: 'AIDAEXAMPLE' };
    const iamFlavours = { 'REST v1 (requestContext.identity)': makeApiGatewayV1Event, 'HTTP API v2 (requestContext.authorizer.iam)': makeApiGatewayV2Event };

    for (const [flavour, makeEvent] of Object.entries(iamFlavours)) {
      it(`lets the caller API Gateway verified reach /api, as ctx.state.user, from a ${flavour} event`, async () => {
        const res = await call(iamApp(), makeEvent({ path: '/api/things', iam: caller }));

        expect([res.statusCode, JSON.parse(res.body)]).to.deep.equal([
          200,
          { path: '/api/things', query: {}, user: { sub: caller.userArn, username: 'AIDAEXAMPLE', email: null, groups: [], tokenUse: 'iam' } },
        ]);
      });

      it(`answers 401 missing_iam_identity on /api without a verified caller, Bearer token or not, from a ${flavour} event`, async () => {
        const res = await call(iamApp(), makeEvent({ path: '/API/things', headers: { authorization: 'Bearer abc.def.ghi' } }));

        expect([res.statusCode, JSON.parse(res.body).error.code, header(res, 'www-authenticate')]).to.deep.equal([401, 'missing_iam_identity', 'AWS4-HMAC-SHA256']);
      });
    }

    it('leaves paths outside the prefixes public', async () => {
      const res = await call(iamApp(), makeApiGatewayV2Event({ path: '/health' }));

      expect(res.statusCode).to.equal(200);
    });
  });

  describe('malformed events', () => {
    const v2 = makeApiGatewayV2Event({ path: '/health' });
    const v1 = makeApiGatewayV1Event({ path: '/health' });
    const post = { method: 'POST', path: '/webhook', body: '%%%%', base64: true } as const;
    const cases: [string, unknown, string][] = [
      ['{}', {}, 'requestContext must be an object; httpMethod must be an HTTP method; path must be a path starting with "/"'],
      ['an SQS event', { Records: [{ eventSource: 'aws:sqs' }], requestContext: {} }, 'the event comes from another source than API Gateway; httpMethod must be an HTTP method; path must be a path starting with "/"'],
      ['null', null, 'the event must be a JSON object'],
      ['a v2 event without requestContext.http', { ...v2, requestContext: { ...v2.requestContext, http: undefined } }, 'requestContext.http.method must be an HTTP method'],
      ['a v2 event whose body is not a string', { ...v2, body: 42 }, 'body must be a string'],
      ['a v2 event without rawPath', { ...v2, rawPath: undefined }, 'rawPath must be a path starting with "/"'],
      ['a v2 event with cookies that are not a list', { ...v2, cookies: 'a=b' }, 'cookies must be a list of strings'],
      ['a v2 event with invalid base64 in the body', { ...makeApiGatewayV2Event(post), body: '%%%%' }, 'body must be base64, as isBase64Encoded says'],
      ['a v1 event with invalid base64 in the body', { ...makeApiGatewayV1Event(post), body: '%%%%' }, 'body must be base64, as isBase64Encoded says'],
      ['a v1 event without a path', { ...v1, path: undefined }, 'path must be a path starting with "/"'],
      ['a v1 event with a header that is not a string', { ...v1, headers: { a: 1 } }, 'headers must map names to strings'],
    ];
    for (const [name, event, problem] of cases) {
      it(`answers ${name} with a JSON 400 invalid_event naming the problem, with x-request-id`, async () => {
        const res = (await createHttpHandler(makeApp().app)(event, makeLambdaContext())) as ProxyResult;

        expect(res.statusCode).to.equal(400);
        expect(JSON.parse(res.body)).to.deep.equal({ error: { code: 'invalid_event', message: `Not an API Gateway proxy event: ${problem}` } });
        expect(header(res, 'x-request-id')).to.be.a('string').and.not.equal('');
      });
    }

    it('serves a v2 event whose headers are null as one without headers', async () => {
      const res = await call(makeApp().app, { ...v2, headers: null } as unknown as typeof v2);

      expect([res.statusCode, header(res, 'x-request-id')]).to.deep.equal([200, v2.requestContext.requestId]);
    });

    it('answers any mutation of a valid event with a status and a JSON or empty body, and never throws', async () => {
      const { app } = makeApp({ logger: makeCapturingLogger('error').logger });
      const handler = createHttpHandler(app, makeCapturingLogger('error').logger);
      const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.jsonValue(), fc.string(), fc.integer());
      const field = (event: object) => fc.constantFrom(...Object.keys(event), 'requestContext.http', 'requestContext.http.method', 'requestContext.requestTimeEpoch');
      const mutated = fc.oneof(fc.constant(v1), fc.constant(v2), fc.constant(makeHttpApiV1Event({ path: '/health' }))).chain((event) =>
        fc.array(fc.tuple(field(event), junk), { maxLength: 4 }).map((changes) => {
          const copy = structuredClone(event) as unknown as Record<string, unknown>;
          for (const [path, value] of changes) {
            const [first, ...rest] = path.split('.');
            let target = copy;
            for (const key of [first!, ...rest].slice(0, -1)) target = (typeof target[key] === 'object' && target[key] !== null ? target[key] : (target[key] = {})) as Record<string, unknown>;
            target[[first!, ...rest].at(-1)!] = value;
          }
          return copy;
        }),
      );

      await fc.assert(
        fc.asyncProperty(fc.oneof(mutated, junk), async (event) => {
          const res = (await handler(event, makeLambdaContext())) as ProxyResult;

          expect(res.statusCode).to.be.a('number');
          if (res.body !== '') JSON.parse(res.body);
          expect(header(res, 'x-request-id')).to.be.a('string');
        }),
        { numRuns: 300 },
      );
    });
  });
});
