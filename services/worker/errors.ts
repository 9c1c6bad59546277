/** The app did not answer in time; its handler may still be running, so the record is retried. */
export class ReplayTimeoutError extends Error {
  override readonly name = 'ReplayTimeoutError';

  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(`The app did not answer within ${timeoutMs} ms`, options);
  }
}
