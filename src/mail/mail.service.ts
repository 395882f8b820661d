import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { appConfig, type AppConfig } from '../config/app.config';
import { mailConfig, type MailConfig } from '../config/mail.config';
import { DevOutbox, type MailMessage } from './dev-outbox';

/** How long shutdown waits for mails still being handed to the SMTP server. */
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * Sends mail over SMTP when `SMTP_URL` is set; otherwise keeps it in the development
 * outbox. Message bodies hold single-use tokens, so they are never logged.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private readonly transport?: Transporter;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    @Inject(appConfig.KEY) app: AppConfig,
    private readonly outbox: DevOutbox,
  ) {
    if (config.smtpUrl) this.transport = createTransport(config.smtpUrl);
    else if (app.nodeEnv === 'production') {
      this.logger.warn('SMTP_URL is not set: password-reset and verification mails are not sent');
    }
  }

  /** Sends without making the caller wait for the SMTP server; a failure is logged. */
  dispatch(message: MailMessage): void {
    const sending = this.send(message).catch((error: unknown) => {
      this.logger.error(
        { to: message.to, subject: message.subject, reason: errorMessage(error) },
        'Could not send mail',
      );
    });
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  async send(message: MailMessage): Promise<void> {
    if (!this.transport) {
      this.outbox.add(message);
      this.logger.log(
        { to: message.to, subject: message.subject },
        'SMTP_URL is not set: mail kept in the development outbox (GET /v1/dev/outbox)',
      );
      return;
    }
    await this.transport.sendMail({ from: this.config.from, ...message });
  }

  async onApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
    });
    await Promise.race([Promise.allSettled([...this.pending]), grace]);
    clearTimeout(timer);
    this.transport?.close();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
