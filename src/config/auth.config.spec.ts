import { DEVELOPMENT_JWT_SECRET, loadAuthConfig } from './auth.config';
import { ConfigValidationError } from './env';

describe('auth config', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  function loadWith(env: Record<string, string | undefined>) {
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    return loadAuthConfig();
  }

  function problemsOf(run: () => unknown): string[] {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigValidationError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigValidationError');
  }

  it.each([
    ['missing', undefined, 'JWT_SECRET is required in production'],
    ['the development default', DEVELOPMENT_JWT_SECRET, 'JWT_SECRET must not be a default'],
    [
      'an example value',
      'change-me-change-me-change-me-change-me',
      'JWT_SECRET must not be a default',
    ],
    ['too short', 'short-but-real-secret', 'JWT_SECRET must be at least 32 characters'],
  ])('refuses to start in production with a JWT_SECRET that is %s', (_label, secret, message) => {
    const problems = problemsOf(() => loadWith({ NODE_ENV: 'production', JWT_SECRET: secret }));
    expect(problems).toEqual([expect.stringContaining(message)]);
  });

  it('accepts a long random JWT_SECRET in production', () => {
    const secret = 'p6Xq2v9LrT4sWm8zKc1bNf7hJd3gYa5e';
    expect(loadWith({ NODE_ENV: 'production', JWT_SECRET: secret }).jwtSecret).toBe(secret);
  });

  it('uses the development secret outside production', () => {
    expect(loadWith({ NODE_ENV: 'test', JWT_SECRET: undefined }).jwtSecret).toBe(
      DEVELOPMENT_JWT_SECRET,
    );
  });

  it('names every bad numeric setting', () => {
    const problems = problemsOf(() =>
      loadWith({
        BCRYPT_COST: '3',
        AUTH_THROTTLE_LIMIT: 'many',
        JWT_ACCESS_EXPIRATION_MINUTES: '0',
      }),
    );
    expect(problems).toEqual([
      expect.stringContaining('JWT_ACCESS_EXPIRATION_MINUTES'),
      expect.stringContaining('BCRYPT_COST'),
      expect.stringContaining('AUTH_THROTTLE_LIMIT'),
    ]);
  });
});
