import type { MailMessage } from '../mail/dev-outbox';

/** The password-reset mail; the link carries the token for `POST /v1/auth/reset-password`. */
export function passwordResetMail(input: {
  appUrl: string;
  to: string;
  name: string;
  token: string;
  expiresInMinutes: number;
}): MailMessage {
  const link = `${input.appUrl}/v1/auth/reset-password?token=${encodeURIComponent(input.token)}`;
  return {
    to: input.to,
    subject: 'Reset your password',
    text: [
      `Hello ${input.name},`,
      '',
      'Someone asked to reset the password of your account. To choose a new password, use this link',
      `(valid for ${input.expiresInMinutes} minutes, once):`,
      '',
      link,
      '',
      'If you did not ask for this, ignore this message: your password stays unchanged.',
    ].join('\n'),
  };
}

/** The email-verification mail; the link carries the token for `POST /v1/auth/verify-email`. */
export function verificationMail(input: {
  appUrl: string;
  to: string;
  name: string;
  token: string;
  expiresInHours: number;
}): MailMessage {
  const link = `${input.appUrl}/v1/auth/verify-email?token=${encodeURIComponent(input.token)}`;
  return {
    to: input.to,
    subject: 'Verify your email address',
    text: [
      `Hello ${input.name},`,
      '',
      `To confirm that ${input.to} is your address, use this link`,
      `(valid for ${input.expiresInHours} hours, once):`,
      '',
      link,
    ].join('\n'),
  };
}
