import { expect } from 'chai';
import fc from 'fast-check';
import { formatPretty } from '../../../services/local/pretty-log.ts';
import { createLogger } from '../../../shared/logger.ts';

describe('formatPretty', () => {
  it('shows time, level, function and message, then the other fields, bare when they can be', () => {
    const line = JSON.stringify({ level: 'info', message: 'listening', time: '2026-11-30T12:00:01.234Z', service: 'webhook-intake', function: 'local', mode: 'queued', url: 'http://127.0.0.1:3000', count: 3, note: 'two words' });

    expect(formatPretty(line)).to.equal('12:00:01.234 info  [local] listening  mode=queued  url=http://127.0.0.1:3000  count=3  note="two words"');
  });

  it('colours the level and puts a stack on its own lines', () => {
    const line = JSON.stringify({ level: 'error', message: 'could not start', time: '2026-11-30T12:00:01.234Z', errorName: 'Error', stack: 'Error: boom\n    at x' });

    expect(formatPretty(line, true)).to.equal('12:00:01.234 \x1b[31merror\x1b[0m could not start  errorName=Error\n\x1b[2mError: boom\n    at x\x1b[0m');
  });

  it("formats the logger's own lines", () => {
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(formatPretty(l)), fields: { function: 'worker' } }).warn('queue record', { outcome: 'retry', payload: { a: 1 } });

    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^\d\d:\d\d:\d\d\.\d{3} warn {2}\[worker\] queue record {2}outcome=retry {2}payload=\{"a":1\}$/);
  });

  it('passes through any text that is not a JSON object, and never throws', () => {
    expect([formatPretty('plain text'), formatPretty('[1,2]'), formatPretty('null')]).to.deep.equal(['plain text', '[1,2]', 'null']);
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => typeof formatPretty(text, true) === 'string'));
  });

  it('escapes DEL and the C1 controls, which JSON.stringify leaves as they are', () => {
    const line = JSON.stringify({ level: 'warn', message: 'queue record', time: '2026-11-30T12:00:01.234Z', path: '/x\x7f\x9b31m', stack: 'at \x9b2J' });

    expect(formatPretty(line)).to.equal('12:00:01.234 warn  queue record  path="/x\\u007f\\u009b31m"\nat \\u009b2J');
  });

  it('never writes a control character from a field or a stack to the terminal, only our own colours', () => {
    fc.assert(
      // Controls are rare among all code points: mix them in so that every run meets some.
      fc.property(...[0, 1].map(() => fc.string({ unit: fc.oneof(fc.constantFrom('\x1b', '\x7f', '\x85', '\x9b', '\0'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) })) as [fc.Arbitrary<string>, fc.Arbitrary<string>], (value, stack) => {
        const line = JSON.stringify({ level: 'warn', message: 'queue record', time: '2026-11-30T12:00:01.234Z', path: value, stack });

        const shown = formatPretty(line, true).replaceAll('\x1b[33m', '').replaceAll('\x1b[2m', '').replaceAll('\x1b[0m', '');

        expect(shown).not.to.match(/[^\P{Cc}\n\t]/u);
      }),
    );
  });
});
