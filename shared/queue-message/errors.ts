import type { MessageShape } from './shapes.ts';

/** A queue message that claims a known shape but cannot be turned back into a request. */
export class MessageDecodeError extends Error {
  override readonly name = 'MessageDecodeError';
  readonly shape: MessageShape;
  readonly problems: readonly string[];

  constructor(shape: MessageShape, problems: readonly string[], options?: ErrorOptions) {
    super(`Undecodable ${shape} message: ${problems.join('; ')}`, options);
    this.shape = shape;
    this.problems = problems;
  }
}
