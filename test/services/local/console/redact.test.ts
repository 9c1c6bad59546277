import { expect } from 'chai';
import { createRedactor } from '../../../../services/local/console/redact.ts';

describe('createRedactor', () => {
  it('hides credential headers whatever their case, and shows the others', () => {
    const redact = createRedactor([]);

    const shown = [['Authorization', 'Bearer eyJ'], ['cookie', 'session=1'], ['Set-Cookie', 'a=b'], ['proxy-authorization', 'Basic x'], ['stripe-signature', 't=1,v1=ab']]
      .map(([name, value]) => redact.header(name!, value!));

    expect(shown).to.deep.equal(['[redacted]', '[redacted]', '[redacted]', '[redacted]', 't=1,v1=ab']);
  });

  it('hides every configured secret wherever it appears, the key part of a whsec_ secret too', () => {
    const redact = createRedactor(['whsec_c2VjcmV0', 'gh-secret', '']);

    expect(redact.text('{"echo":"gh-secret","svix":"whsec_c2VjcmV0","key":"c2VjcmV0"}')).to.equal('{"echo":"[redacted]","svix":"[redacted]","key":"[redacted]"}');
    expect(redact.header('x-echo', 'prefix gh-secret suffix')).to.equal('prefix [redacted] suffix');
  });

  it('hides the longer of two overlapping secrets whole', () => {
    const redact = createRedactor(['abc', 'abcdef']);

    expect(redact.text('abcdef abc')).to.equal('[redacted] [redacted]');
  });
});
