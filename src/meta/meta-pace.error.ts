import { ServiceUnavailableError, TooManyRequestsError } from '../common/errors';

/**
 * The account's next outbound slot (our own pacing, shared by every instance) is further away
 * than a caller may wait: nothing was sent, the caller may try again after `Retry-After`.
 */
export class MetaPaceExceededError extends TooManyRequestsError {
  constructor(waitMs: number) {
    super(
      'Too many messages for this Instagram account right now, try again shortly',
      Math.ceil(waitMs / 1000),
      [{ reason: 'paced', retryable: true }],
    );
  }
}

/** The account's pace cannot be checked (Redis does not answer): nothing was sent. */
export class MetaPacingUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('Sending is unavailable for a moment, try again shortly', [
      { reason: 'pacing_unavailable', retryable: true },
    ]);
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': '1' };
  }
}

/** Whether a send failed on our own pacing, before anything went to Meta. */
export function refusedBeforeSending(error: unknown): boolean {
  return error instanceof MetaPaceExceededError || error instanceof MetaPacingUnavailableError;
}
