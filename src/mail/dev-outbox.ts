import { Injectable } from '@nestjs/common';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface OutboxMail extends MailMessage {
  queuedAt: Date;
}

const CAPACITY = 50;

/**
 * Without SMTP, mails are kept here (the most recent 50) instead of being sent, so a
 * developer can read reset and verification links at `GET /v1/dev/outbox`.
 */
@Injectable()
export class DevOutbox {
  private readonly mails: OutboxMail[] = [];

  add(message: MailMessage): void {
    this.mails.push({ ...message, queuedAt: new Date() });
    if (this.mails.length > CAPACITY) this.mails.shift();
  }

  /** Newest first. */
  list(): OutboxMail[] {
    return [...this.mails].reverse();
  }
}
