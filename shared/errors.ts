/** `ErrorOptions` (the `cause`), headers to send with the answer (`WWW-Authenticate`), and `expose`. */
interface AppErrorOptions extends ErrorOptions {
  headers?: Record<string, string>;
  /** Whether the message may reach the client; by default only below 500. */
  expose?: boolean;
}

/**
 * One error type for the whole service: an HTTP status, a stable machine-readable `code`,
 * and whether the message may reach the client (`expose`, true below 500).
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
  }
}

/** The request is malformed: bad JSON, a body that cannot be read. */
export class BadRequestError extends AppError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(400, code, message, options);
  }
}

/** The caller could not be authenticated (bad token, bad signature). */
export class UnauthorizedError extends AppError {
  constructor(code: string, message: string, options?: AppErrorOptions) {
    super(401, code, message, options);
  }
}

/**
 * A 503: something the request needs is unavailable or not configured, so a retry may succeed.
 * Its message says what is unavailable (written for the caller); the cause goes to the log only.
 */
export class ServiceUnavailableError extends AppError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(503, code, message, { ...options, expose: true });
  }
}

/** Configuration is missing or invalid; lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`, options);
    this.problems = problems;
  }
}
