import { registerAs } from '@nestjs/config';
import { EnvReader } from './env';

/**
 * `gridfs` keeps uploads in the database (GridFS), so every instance serves every upload;
 * `local` keeps them in `MEDIA_DIR`, for a single instance.
 */
export const MEDIA_STORAGES = ['gridfs', 'local'] as const;
export type MediaStorageKind = (typeof MEDIA_STORAGES)[number];

export interface MediaConfig {
  storage: MediaStorageKind;
}

export function loadMediaConfig(): MediaConfig {
  const env = new EnvReader();
  return env.done({ storage: env.oneOf('MEDIA_STORAGE', MEDIA_STORAGES, 'gridfs') });
}

export const mediaConfig = registerAs('media', loadMediaConfig);
