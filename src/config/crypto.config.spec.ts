import { DEVELOPMENT_TOKEN_ENCRYPTION_KEY, loadCryptoConfig } from './crypto.config';
import { ConfigValidationError } from './env';

describe('crypto config', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  function problemsInProductionWith(key: string | undefined): string[] {
    process.env.NODE_ENV = 'production';
    if (key === undefined) delete process.env.TOKEN_ENCRYPTION_KEY;
    else process.env.TOKEN_ENCRYPTION_KEY = key;
    try {
      loadCryptoConfig();
    } catch (error) {
      if (error instanceof ConfigValidationError) return error.problems;
      throw error;
    }
    return [];
  }

  it.each([
    ['missing', undefined, 'TOKEN_ENCRYPTION_KEY is required in production'],
    [
      'the development default',
      DEVELOPMENT_TOKEN_ENCRYPTION_KEY,
      'TOKEN_ENCRYPTION_KEY must not be a default',
    ],
    ['too short', 'a-short-key', 'TOKEN_ENCRYPTION_KEY must be at least 32 characters'],
  ])(
    'refuses to start in production with a TOKEN_ENCRYPTION_KEY that is %s',
    (_label, key, message) => {
      expect(problemsInProductionWith(key)).toEqual([expect.stringContaining(message)]);
    },
  );

  it('accepts a long random TOKEN_ENCRYPTION_KEY in production', () => {
    expect(problemsInProductionWith('9fK2mQ7xV4tB8nR1cL6yH3wD5sJ0gZ2p')).toEqual([]);
  });
});
