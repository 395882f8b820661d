import { registerAs } from '@nestjs/config';
import { EnvReader } from './env';

export const DEVELOPMENT_JWT_SECRET = 'development-only-insecure-jwt-secret-0000000000';

export interface AuthConfig {
  jwtSecret: string;
  accessExpirationMinutes: number;
  refreshExpirationDays: number;
  bcryptCost: number;
  resetPasswordExpirationMinutes: number;
  verifyEmailExpirationHours: number;
  /** Requests per window per IP and per email on login/register/forgot/refresh. */
  throttleLimit: number;
  throttleTtlSeconds: number;
  /** How often expired refresh and one-time tokens are deleted (once per period per cluster). */
  tokenPurgeIntervalMs: number;
  /** Admins may read (never write) the conversations and messages of every account. */
  adminInboxAccess: boolean;
}

export function loadAuthConfig(): AuthConfig {
  const env = new EnvReader();
  return env.done({
    jwtSecret: env.secret('JWT_SECRET', DEVELOPMENT_JWT_SECRET),
    accessExpirationMinutes: env.int('JWT_ACCESS_EXPIRATION_MINUTES', 30, { min: 1 }),
    refreshExpirationDays: env.int('JWT_REFRESH_EXPIRATION_DAYS', 30, { min: 1 }),
    bcryptCost: env.int('BCRYPT_COST', 10, { min: 4, max: 15 }),
    resetPasswordExpirationMinutes: env.int('RESET_PASSWORD_EXPIRATION_MINUTES', 60, { min: 1 }),
    verifyEmailExpirationHours: env.int('VERIFY_EMAIL_EXPIRATION_HOURS', 24, { min: 1 }),
    throttleLimit: env.int('AUTH_THROTTLE_LIMIT', 10, { min: 1 }),
    throttleTtlSeconds: env.int('AUTH_THROTTLE_TTL_SECONDS', 60, { min: 1 }),
    tokenPurgeIntervalMs: env.int('AUTH_TOKEN_PURGE_INTERVAL_MS', 24 * 60 * 60 * 1000, {
      min: 1000,
    }),
    adminInboxAccess: env.bool('ADMIN_INBOX_ACCESS', true),
  });
}

export const authConfig = registerAs('auth', loadAuthConfig);
