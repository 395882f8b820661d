import { registerAs } from '@nestjs/config';
import { EnvReader } from './env';

export interface MailConfig {
  /** e.g. smtp://user:pass@smtp.example.com:587; unset → development outbox. */
  smtpUrl?: string;
  from: string;
}

export function loadMailConfig(): MailConfig {
  const env = new EnvReader();
  return env.done({
    smtpUrl: env.string('SMTP_URL'),
    from: env.string('MAIL_FROM', 'Instagram DM Automation <no-reply@localhost>'),
  });
}

export const mailConfig = registerAs('mail', loadMailConfig);
