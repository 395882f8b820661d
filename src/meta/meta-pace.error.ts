import { TooManyRequestsError } from '../common/errors';

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
