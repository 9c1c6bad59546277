import { expect } from 'chai';
import fc from 'fast-check';
import { checkJsonPath, orderingKeyValues, type KeyPart } from '../../../shared/queue-message/ordering-key.ts';
import { expectLinear } from '../../helpers/linear-cost.ts';

const request = (body: string, headers: Record<string, string> = {}) => ({ headers, body: Buffer.from(body, 'utf8') });
const jsonRequest = (body: string, headers: Record<string, string> = {}) => request(body, { 'content-type': 'application/json', ...headers });
const stripe: KeyPart[] = [[{ json: '$.account' }], [{ json: '$.data.object.id' }]];
const twilio: KeyPart[] = [[{ form: 'MessageSid' }, { form: 'CallSid' }]];

describe('orderingKeyValues', () => {
  it('reads each part from the first source that has a value, and leaves out parts with none', () => {
    const parts: KeyPart[] = [[{ header: 'x-a' }, { header: 'x-b' }], [{ json: '$.c' }], [{ form: 'd' }]];

    expect(orderingKeyValues(parts, jsonRequest('{"c":"C"}', { 'x-b': 'B' }))).to.deep.equal(['B', 'C']);
    expect(orderingKeyValues(parts, request('d=D', { 'x-a': 'A', 'x-b': 'B' }))).to.deep.equal(['A', 'D']);
    expect(orderingKeyValues(parts, request('', { 'x-a': '' }))).to.deep.equal([]);
  });

  it('takes the first form field whose value is a plain id, as sent, undecoded', () => {
    expect(orderingKeyValues(twilio, request('MessageSid=SM%2B1&MessageSid=SM2&MessageSid=SM3'))).to.deep.equal(['SM2']);
    expect(orderingKeyValues(twilio, request(`MessageSid=${'a'.repeat(65)}&CallSid=CA1`))).to.deep.equal(['CA1']);
  });

  it('reads JSON fields from a JSON object body only', () => {
    expect(orderingKeyValues(stripe, jsonRequest('\r\n\t {"data":{"object":{"id":"in_1"}}}'))).to.deep.equal(['in_1']);
    expect(orderingKeyValues(stripe, jsonRequest('[{"data":{"object":{"id":"in_1"}}}]'))).to.deep.equal([]);
    expect(orderingKeyValues(stripe, jsonRequest('{"data":{"object":{"id":"in_1"}}'))).to.deep.equal([]);
    expect(orderingKeyValues(stripe, jsonRequest('"in_1"'))).to.deep.equal([]);
  });

  // The REST template may look into a body only when API Gateway can parse it as JSON (a JSON
  // path over anything else may fail the request): both read a body that says it is JSON.
  it('reads JSON fields only when the content type is JSON (any +json type, any parameters) and { comes first', () => {
    const body = '{"data":{"object":{"id":"in_1"}}}';
    const types = ['application/json', 'Application/JSON; charset=utf-8', 'application/vnd.api+json', 'application/cloudevents+json ;v=1', ' application/json '];
    const notJson = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/jsonx', 'text/json', 'application/json\u0085', ''];

    expect(types.map((type) => orderingKeyValues(stripe, request(body, { 'content-type': type })))).to.deep.equal(types.map(() => ['in_1']));
    expect(notJson.map((type) => orderingKeyValues(stripe, request(body, { 'content-type': type })))).to.deep.equal(notJson.map(() => []));
    expect(orderingKeyValues(stripe, request(body))).to.deep.equal([]);
    expect(orderingKeyValues(stripe, jsonRequest(`\uFEFF${body}`))).to.deep.equal([]);
    expect(orderingKeyValues(stripe, jsonRequest(`\f${body}`))).to.deep.equal([]);
  });

  it('finds a string placed at the path among any other JSON, and nothing where a non-string sits', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json), fc.string({ minLength: 1 }), json, (others, id, notString) => {
        const withId = { ...others, data: { ...others, object: { ...others, id } } };
        const without = { ...others, data: { object: { id: typeof notString === 'string' ? 42 : notString } } };

        expect(orderingKeyValues([[{ json: '$.data.object.id' }]], jsonRequest(JSON.stringify(withId)))).to.deep.equal([id]);
        expect(orderingKeyValues([[{ json: '$.data.object.id' }]], jsonRequest(JSON.stringify(without)))).to.deep.equal([]);
      }),
      { numRuns: 200 },
    );
  });

  it('answers any bytes and headers with plain values, never throwing', () => {
    const hostile = fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: 'binary', maxLength: 2_000 }).map((text) => Buffer.from(text, 'utf8')),
      fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '', 'utf8')),
      fc.array(fc.tuple(fc.constantFrom('MessageSid', 'CallSid', 'x', ''), fc.string()), { maxLength: 50 }).map((pairs) => Buffer.from(pairs.map(([k, v]) => `${k}=${v}`).join('&'), 'utf8')),
    );
    fc.assert(
      fc.property(hostile, fc.dictionary(fc.string(), fc.string()), (body, headers) => {
        const values = orderingKeyValues([...stripe, ...twilio, [{ header: 'x-shopify-shop-domain' }]], { headers, body });

        expect(values.every((v) => typeof v === 'string' && v !== '')).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it('survives a body nested 100,000 deep and a megabyte of form fields', () => {
    const deep = `{"data":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    const fields = Array.from({ length: 100_000 }, (_, i) => `f${i}=v`).join('&');

    expect(orderingKeyValues(stripe, jsonRequest(deep))).to.deep.equal([]);
    expect(orderingKeyValues(twilio, request(`${fields}&CallSid=CA1`))).to.deep.equal(['CA1']);
  });

  it('costs linear time in the size of the body, JSON or form', () => {
    // A large value rather than many keys: JSON.parse's cost is linear either way, and this shape
    // leaves the garbage collector, which a busy machine makes erratic, out of the measure.
    const json = (n: number) => jsonRequest(JSON.stringify({ data: { object: { description: 'x'.repeat(8 * n) } } }));
    const form = (n: number) => request(Array.from({ length: n }, (_, i) => `MessageSid${i}=SM${i}`).join('&'));

    expectLinear('JSON body', json, (r) => orderingKeyValues(stripe, r));
    expectLinear('form body', form, (r) => orderingKeyValues(twilio, r));
  });
});

describe('checkJsonPath', () => {
  it('accepts $.name.name… and refuses what the template and the code could read apart', () => {
    expect(checkJsonPath('$.data.object.id')).to.equal('$.data.object.id');
    for (const path of ['$', 'data.id', '$..id', '$.items[0]', "$['a']", '$.a-b', '$.a.']) {
      expect(() => checkJsonPath(path), path).to.throw(Error, 'Unsupported ordering-key JSON path');
    }
  });
});
