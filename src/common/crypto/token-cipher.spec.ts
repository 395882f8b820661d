import { createDecipheriv, createHash } from 'node:crypto';
import type { CryptoConfig } from '../../config/crypto.config';
import { TokenCipher, TokenDecryptionError, type EncryptedValue } from './token-cipher';

function cipherWith(overrides: Partial<CryptoConfig> = {}): TokenCipher {
  return new TokenCipher({
    tokenEncryptionKey: 'current-secret-material-for-the-tests-0000',
    tokenEncryptionKeyId: 'k2',
    previousKeys: [],
    ...overrides,
  });
}

describe('TokenCipher', () => {
  it('decrypts what it encrypted', () => {
    const cipher = cipherWith();
    expect(cipher.decrypt(cipher.encrypt('IGAA-secret-token'))).toBe('IGAA-secret-token');
  });

  it('stores the key id, a 12-byte IV and a 16-byte tag beside the ciphertext', () => {
    const value = cipherWith().encrypt('IGAA-secret-token');
    expect(value.keyId).toBe('k2');
    expect(Buffer.from(value.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(value.tag, 'base64')).toHaveLength(16);
    expect(JSON.stringify(value)).not.toContain('IGAA-secret-token');
  });

  it('uses a fresh IV for every value', () => {
    const cipher = cipherWith();
    const first = cipher.encrypt('same-token');
    const second = cipher.encrypt('same-token');
    expect(first.iv).not.toBe(second.iv);
    expect(first.data).not.toBe(second.data);
  });

  it('encrypts with AES-256-GCM under the SHA-256 of the configured secret', () => {
    const secret = 'current-secret-material-for-the-tests-0000';
    const value = cipherWith({ tokenEncryptionKey: secret }).encrypt('plain');
    const key = createHash('sha256').update(secret).digest();
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(value.iv, 'base64'));
    decipher.setAAD(Buffer.from(value.keyId));
    decipher.setAuthTag(Buffer.from(value.tag, 'base64'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(value.data, 'base64')),
      decipher.final(),
    ]).toString('utf8');
    expect(plain).toBe('plain');
  });

  it('still decrypts values written under a previous key after rotation', () => {
    const old = cipherWith({
      tokenEncryptionKey: 'old-secret-material',
      tokenEncryptionKeyId: 'k1',
    });
    const stored = old.encrypt('token-from-last-year');
    const rotated = cipherWith({ previousKeys: [{ id: 'k1', secret: 'old-secret-material' }] });
    expect(rotated.decrypt(stored)).toBe('token-from-last-year');
    expect(rotated.encrypt('new').keyId).toBe('k2');
  });

  it('refuses a value whose key id is not configured', () => {
    const old = cipherWith({
      tokenEncryptionKey: 'old-secret-material',
      tokenEncryptionKeyId: 'k1',
    });
    expect(() => cipherWith().decrypt(old.encrypt('x'))).toThrow(TokenDecryptionError);
  });

  it('refuses tampered ciphertext, tag or key id', () => {
    const cipher = cipherWith({
      previousKeys: [{ id: 'k1', secret: 'current-secret-material-for-the-tests-0000' }],
    });
    const value = cipher.encrypt('IGAA-secret-token');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] ^= 1;
      return bytes.toString('base64');
    };
    const tampered: EncryptedValue[] = [
      { ...value, data: flip(value.data) },
      { ...value, tag: flip(value.tag) },
      { ...value, keyId: 'k1' },
      { ...value, iv: Buffer.alloc(8).toString('base64') },
    ];
    for (const bad of tampered) expect(() => cipher.decrypt(bad)).toThrow(TokenDecryptionError);
  });
});
