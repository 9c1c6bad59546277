import type { MessageShape } from './decode.ts';

/** A queue message that claims a known shape but cannot be turned back into a request. */
export class MessageDecodeError extends Error {
  readonly shape: MessageShape;
  readonly problems: readonly string[];

  constructor(shape: MessageShape, problems: readonly string[]) {
    super(`Undecodable ${shape} message: ${problems.join('; ')}`);
    this.name = 'MessageDecodeError';
    this.shape = shape;
    this.problems = problems;
  }
}
