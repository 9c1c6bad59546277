import { expect } from 'chai';
import fc from 'fast-check';
import { describeBody } from '../../../../services/local/console/body-view.ts';
import { expectLinear } from '../../../helpers/linear-cost.ts';

describe('describeBody', () => {
  it('shows JSON indented next to the raw text', () => {
    const view = describeBody(Buffer.from('{"id":"evt_1","data":{"amount":2000}}'), 'application/json');

    expect(view).to.deep.equal({
      bytes: 37,
      contentType: 'application/json',
      text: '{"id":"evt_1","data":{"amount":2000}}',
      json: '{\n  "id": "evt_1",\n  "data": {\n    "amount": 2000\n  }\n}',
    });
  });

  it('lists the fields of a url-encoded form in order, repeats and all', () => {
    const view = describeBody(Buffer.from('To=%2B15558675310&Body=a+b%26c&Body=second'), 'application/x-www-form-urlencoded; charset=utf-8');

    expect(view.form).to.deep.equal([['To', '+15558675310'], ['Body', 'a b&c'], ['Body', 'second']]);
    expect(view.text).to.equal('To=%2B15558675310&Body=a+b%26c&Body=second');
  });

  it('shows bytes that are not UTF-8 as base64, byte for byte', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x00, 0xc3, 0x28]);

    expect(describeBody(bytes, 'application/octet-stream')).to.deep.equal({ bytes: 5, contentType: 'application/octet-stream', base64: bytes.toString('base64') });
  });

  it('lists the first 1,000 fields of a larger form and counts them all', () => {
    const view = describeBody(Buffer.from('k=v&'.repeat(1500)), 'application/x-www-form-urlencoded');

    expect([view.form?.length, view.form?.[999], view.formFields]).to.deep.equal([1000, ['k', 'v'], 1500]);
  });

  it('gives no indented view of JSON nested deeper than 64 levels, whose indentation would grow with the square of its depth', () => {
    const deep = `${'['.repeat(65)}${']'.repeat(65)}`;
    const shallow = `{"a":"[[[[","b":${'['.repeat(63)}${']'.repeat(63)}}`;

    expect(describeBody(Buffer.from(deep), 'application/json').json).to.equal(undefined);
    expect(describeBody(Buffer.from(shallow), 'application/json').json).to.be.a('string');
  });

  it('keeps text that only looks like JSON as raw text', () => {
    expect(describeBody(Buffer.from('{not json'), 'application/json')).to.deep.equal({ bytes: 9, contentType: 'application/json', text: '{not json' });
  });

  it('shows an empty body as empty text', () => {
    expect(describeBody(Buffer.alloc(0))).to.deep.equal({ bytes: 0, text: '' });
  });

  it('never throws, and every view it gives holds the same bytes, for any body and content type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded', 'text/plain', 'APPLICATION/X-WWW-FORM-URLENCODED'), (bytes, type) => {
        const body = Buffer.from(bytes);
        const view = describeBody(body, type);
        const shown = view.text === undefined ? Buffer.from(view.base64 ?? '', 'base64') : Buffer.from(view.text, 'utf8');
        expect(shown.equals(body)).to.equal(true);
        if (view.json !== undefined) expect(JSON.parse(view.json)).to.deep.equal(JSON.parse(view.text!));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on large and hostile bodies: deep nesting, repeated form keys, broken UTF-8', () => {
    const hostile = [
      '['.repeat(100_000),
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      'k=v&'.repeat(100_000),
      `{"a":"${'\\u0000'.repeat(50_000)}"}`,
    ].map((text) => Buffer.from(text));
    hostile.push(Buffer.alloc(500_000, 0xc3));

    for (const body of hostile) expect(() => describeBody(body, 'application/x-www-form-urlencoded')).not.to.throw();
  });

  it('costs time linear in the body: repeated form keys, JSON and binary', () => {
    const cases: [string, (n: number) => Buffer, string][] = [
      ['form', (n) => Buffer.from('k=v&'.repeat(n)), 'application/x-www-form-urlencoded'],
      ['json', (n) => Buffer.from(JSON.stringify(Array.from({ length: n }, (_, i) => i))), 'application/json'],
      ['binary', (n) => Buffer.alloc(n, 0xff), 'application/octet-stream'],
    ];

    // Forty views per timing: bodies of tens of kilobytes then cost enough to be timed, and stay
    // below the sizes where the garbage collector, not the parsing, sets the cost.
    const views = (body: Buffer, type: string) => {
      for (let i = 0; i < 40; i += 1) describeBody(body, type);
    };
    for (const [name, make, type] of cases) expectLinear(name, make, (body) => views(body, type), 500);
  });
});
