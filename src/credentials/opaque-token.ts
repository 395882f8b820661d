import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: refresh, password-reset and email-verification tokens. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored instead of the token itself. */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
