import { ConfigValidationError } from './env';
import { loadMediaConfig } from './media.config';

const S3_KEYS = [
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_BUCKET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
];

const S3_ENV = {
  MEDIA_STORAGE: 's3',
  S3_ENDPOINT: 'http://127.0.0.1:9000/',
  S3_REGION: 'eu-west-1',
  S3_BUCKET: 'uploads',
  S3_ACCESS_KEY_ID: 'key-id',
  S3_SECRET_ACCESS_KEY: 'secret',
  S3_FORCE_PATH_STYLE: 'true',
};

describe('media config', () => {
  const saved = { ...process.env };

  afterEach(() => {
    process.env = { ...saved };
  });

  function loadWith(env: Record<string, string | undefined>) {
    for (const key of ['MEDIA_STORAGE', ...S3_KEYS]) delete process.env[key];
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    return loadMediaConfig();
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

  it('keeps uploads in GridFS by default and needs no S3 key for gridfs or local', () => {
    expect(loadWith({})).toEqual({ storage: 'gridfs' });
    expect(loadWith({ MEDIA_STORAGE: 'local' })).toEqual({ storage: 'local' });
  });

  it('reads the bucket settings with MEDIA_STORAGE=s3', () => {
    expect(loadWith(S3_ENV)).toEqual({
      storage: 's3',
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        region: 'eu-west-1',
        bucket: 'uploads',
        accessKeyId: 'key-id',
        secretAccessKey: 'secret',
        forcePathStyle: true,
      },
    });
  });

  it('leaves the endpoint unset (AWS S3) and virtual-hosted buckets by default', () => {
    const config = loadWith({ ...S3_ENV, S3_ENDPOINT: undefined, S3_FORCE_PATH_STYLE: undefined });
    expect(config).toMatchObject({ s3: { endpoint: undefined, forcePathStyle: false } });
  });

  it('refuses MEDIA_STORAGE=s3 without its required keys, naming each missing one', () => {
    expect(problemsOf(() => loadWith({ MEDIA_STORAGE: 's3' }))).toEqual([
      'S3_REGION is required when MEDIA_STORAGE=s3',
      'S3_BUCKET is required when MEDIA_STORAGE=s3',
      'S3_ACCESS_KEY_ID is required when MEDIA_STORAGE=s3',
      'S3_SECRET_ACCESS_KEY is required when MEDIA_STORAGE=s3',
    ]);
    expect(problemsOf(() => loadWith({ ...S3_ENV, S3_SECRET_ACCESS_KEY: ' ' }))).toEqual([
      'S3_SECRET_ACCESS_KEY is required when MEDIA_STORAGE=s3',
    ]);
  });

  it('refuses a malformed endpoint or path-style flag', () => {
    expect(
      problemsOf(() =>
        loadWith({ ...S3_ENV, S3_ENDPOINT: 'not a url', S3_FORCE_PATH_STYLE: 'maybe' }),
      ),
    ).toEqual([
      'S3_ENDPOINT must be a URL (got "not a url")',
      'S3_FORCE_PATH_STYLE must be true or false (got "maybe")',
    ]);
  });
});
