import { DomainError } from '../common/errors';
import type { MessageRecord } from './messages.repository';
import type { SendAnswer } from './schemas/message.schema';

/** A failure of ours while sending (never Meta's): answered 500, details kept out. */
export class SendFailedError extends DomainError {
  readonly status = 500;

  constructor() {
    super('The message could not be sent');
  }
}

/**
 * The attachment of an attachment-with-text send went out; the text after it
 * did not. Answered with the text's failure status (and Retry-After), naming
 * the part that failed and the message Meta already delivered.
 */
export class TextNotSentError extends DomainError {
  readonly status: number;

  constructor(
    private readonly textError: DomainError,
    attachment: MessageRecord,
  ) {
    super(`The attachment was sent, but the text was not: ${textError.message}`, [
      ...textError.details.map((detail) =>
        typeof detail === 'object' && detail !== null ? { ...detail, part: 'text' } : detail,
      ),
      {
        part: 'attachment',
        sent: true,
        id: String(attachment._id),
        messageId: attachment.messageId,
      },
    ]);
    this.status = textError.status;
  }

  override headers(): Record<string, string> {
    return this.textError.headers();
  }
}

/** The stored answer of a failed send, repeated to a retry with the same Idempotency-Key. */
export class RepeatedSendError extends DomainError {
  readonly status: number;

  constructor(answer: SendAnswer) {
    super(answer.message, answer.details);
    this.status = answer.status;
  }
}

/** What to store so a retry gets the same answer. */
export function toSendAnswer(error: DomainError): SendAnswer {
  return { status: error.status, message: error.message, details: error.details };
}
