import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { cryptoConfig, type CryptoConfig } from '../../config/crypto.config';

/** A secret encrypted with AES-256-GCM; every part but `keyId` is base64. */
export interface EncryptedValue {
  /** Names the key that encrypted the value, so keys can be rotated. */
  keyId: string;
  iv: string;
  tag: string;
  data: string;
}

/** The stored value cannot be decrypted: unknown key id, wrong key or tampered data. */
export class TokenDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenDecryptionError';
  }
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function deriveKey(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Encrypts access tokens at rest with AES-256-GCM: the 32-byte key is the
 * SHA-256 of the configured secret, each value gets a random 12-byte IV, and
 * the key id is authenticated with the ciphertext. Values written under a
 * previous key stay readable while that key is listed in the configuration.
 */
@Injectable()
export class TokenCipher {
  private readonly currentKeyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(@Inject(cryptoConfig.KEY) config: CryptoConfig) {
    for (const previous of config.previousKeys) {
      this.keys.set(previous.id, deriveKey(previous.secret));
    }
    this.currentKeyId = config.tokenEncryptionKeyId;
    this.keys.set(this.currentKeyId, deriveKey(config.tokenEncryptionKey));
  }

  encrypt(plaintext: string): EncryptedValue {
    const key = this.keys.get(this.currentKeyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(this.currentKeyId, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: this.currentKeyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  decrypt(value: EncryptedValue): string {
    const key = this.keys.get(value.keyId);
    if (!key) throw new TokenDecryptionError(`No decryption key with id "${value.keyId}"`);
    const iv = Buffer.from(value.iv, 'base64');
    const tag = Buffer.from(value.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new TokenDecryptionError('Malformed encrypted value');
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(value.keyId, 'utf8'));
      decipher.setAuthTag(tag);
      const data = Buffer.from(value.data, 'base64');
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptionError('Encrypted value failed authentication');
    }
  }
}
