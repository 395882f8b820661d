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

/** A domain error class answering with one HTTP status. */
function withStatus(status: number) {
  abstract class StatusError extends DomainError {
    readonly status = status;
  }
  return StatusError;
}

export class ValidationError extends withStatus(400) {}

export class UnauthorizedError extends withStatus(401) {}

export class ForbiddenError extends withStatus(403) {}

export class NotFoundError extends withStatus(404) {
  constructor(resource: string, details: unknown[] = []) {
    super(`${resource} not found`, details);
  }
}

export class ConflictError extends withStatus(409) {}

export class PayloadTooLargeError extends withStatus(413) {}

export class UnprocessableError extends withStatus(422) {}

export class FailedDependencyError extends withStatus(424) {}

export class TooManyRequestsError extends withStatus(429) {
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

export class BadGatewayError extends withStatus(502) {}

export class ServiceUnavailableError extends withStatus(503) {}
