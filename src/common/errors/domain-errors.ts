/**
 * Errors thrown by services. The global exception filter maps each one to the
 * error envelope `{ error: { code, message, details } }` with its `status`.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;

  constructor(
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Extra response headers (e.g. Retry-After). */
  headers(): Record<string, string> {
    return {};
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
}

export class NotFoundError extends DomainError {
  readonly status = 404;

  constructor(resource: string, details: unknown[] = []) {
    super(`${resource} not found`, details);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
}

export class UnprocessableError extends DomainError {
  readonly status = 422;
}

export class FailedDependencyError extends DomainError {
  readonly status = 424;
}

export class TooManyRequestsError extends DomainError {
  readonly status = 429;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details: unknown[] = [],
  ) {
    super(message, details);
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': String(Math.max(1, Math.ceil(this.retryAfterSeconds))) };
  }
}

export class BadGatewayError extends DomainError {
  readonly status = 502;
}

export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
}
