import { registerAs } from '@nestjs/config';
import { EnvReader } from './env';

export const DEVELOPMENT_TOKEN_ENCRYPTION_KEY =
  'development-only-insecure-token-encryption-key-000';

export interface CryptoConfig {
  /** Secret material for AES-256-GCM; hashed with SHA-256 into the 32-byte key. */
  tokenEncryptionKey: string;
  /** Identifier stored beside every ciphertext, so keys can be rotated. */
  tokenEncryptionKeyId: string;
  /** Older keys still accepted for decryption, as `id:secret` pairs separated by commas. */
  previousKeys: { id: string; secret: string }[];
}

export function loadCryptoConfig(): CryptoConfig {
  const env = new EnvReader();
  const previous = (env.string('TOKEN_ENCRYPTION_PREVIOUS_KEYS') ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf(':');
      if (at <= 0) env.problem('TOKEN_ENCRYPTION_PREVIOUS_KEYS entries must be id:secret');
      return { id: pair.slice(0, at), secret: pair.slice(at + 1) };
    });
  return env.done({
    tokenEncryptionKey: env.secret('TOKEN_ENCRYPTION_KEY', DEVELOPMENT_TOKEN_ENCRYPTION_KEY),
    tokenEncryptionKeyId: env.string('TOKEN_ENCRYPTION_KEY_ID', 'k1'),
    previousKeys: previous,
  });
}

export const cryptoConfig = registerAs('crypto', loadCryptoConfig);
