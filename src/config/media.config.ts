import { registerAs } from '@nestjs/config';
import { EnvReader } from './env';

/**
 * `gridfs` keeps uploads in the database (GridFS), so every instance serves every upload;
 * `s3` keeps them in an S3-compatible bucket, also shared by every instance;
 * `local` keeps them in `MEDIA_DIR`, for a single instance.
 */
export const MEDIA_STORAGES = ['gridfs', 's3', 'local'] as const;
export type MediaStorageKind = (typeof MEDIA_STORAGES)[number];

/** The bucket of `MEDIA_STORAGE=s3`. */
export interface S3MediaSettings {
  /** Set for an S3-compatible server; unset for AWS S3 (its endpoint follows from the region). */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Address the bucket as `<endpoint>/<bucket>` rather than `<bucket>.<endpoint>`. */
  forcePathStyle: boolean;
}

export type MediaConfig = { storage: 'gridfs' | 'local' } | { storage: 's3'; s3: S3MediaSettings };

/** Keys that `MEDIA_STORAGE=s3` cannot do without. */
const REQUIRED_S3_KEYS = [
  'S3_REGION',
  'S3_BUCKET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
] as const;

function loadS3Settings(env: EnvReader): S3MediaSettings {
  const required = Object.fromEntries(
    REQUIRED_S3_KEYS.map((key) => {
      const value = env.string(key);
      if (value === undefined) env.problem(`${key} is required when MEDIA_STORAGE=s3`);
      return [key, value ?? ''];
    }),
  ) as Record<(typeof REQUIRED_S3_KEYS)[number], string>;
  return {
    endpoint: env.url('S3_ENDPOINT'),
    region: required.S3_REGION,
    bucket: required.S3_BUCKET,
    accessKeyId: required.S3_ACCESS_KEY_ID,
    secretAccessKey: required.S3_SECRET_ACCESS_KEY,
    forcePathStyle: env.bool('S3_FORCE_PATH_STYLE', false),
  };
}

export function loadMediaConfig(): MediaConfig {
  const env = new EnvReader();
  const storage = env.oneOf('MEDIA_STORAGE', MEDIA_STORAGES, 'gridfs');
  if (storage === 's3') return env.done({ storage, s3: loadS3Settings(env) });
  return env.done({ storage });
}

export const mediaConfig = registerAs('media', loadMediaConfig);
