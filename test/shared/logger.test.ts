import { expect } from 'chai';
import { createLogger, describeError } from '../../shared/logger.ts';

describe('createLogger', () => {
  it('writes one JSON object per line with bound and call fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), fields: { service: 's' } }).child({ requestId: 'r1' });

    logger.info('hello', { status: 200 });

    expect(lines).to.have.length(1);
    const { time, ...rest } = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rest).to.deep.equal({ level: 'info', message: 'hello', service: 's', requestId: 'r1', status: 200 });
    expect(time).to.be.a('string');
  });

  it('drops lines below its level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });

    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');

    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).to.deep.equal(['c', 'd']);
  });
});

describe('describeError', () => {
  it('names an error with its code', () => {
    const error = Object.assign(new Error('boom'), { code: 'ECONNREFUSED' });

    expect(describeError(error)).to.include({ errorName: 'Error', errorMessage: 'boom', errorCode: 'ECONNREFUSED' });
  });

  it('describes a thrown non-error value', () => {
    expect(describeError('just a string')).to.deep.equal({ error: 'just a string' });
  });
});
