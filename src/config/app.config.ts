import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { EnvReader } from './env';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** `api` serves HTTP only, `worker` runs the background queues only, `all` does both. */
export const PROCESS_ROLES = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export interface AppConfig {
  nodeEnv: NodeEnv;
  processRole: ProcessRole;
  port: number;
  host: string;
  /** Public base URL of this API (links in emails, public media URLs). */
  appUrl: string;
  corsOrigins: string[] | '*';
  bodyLimitBytes: number;
  logLevel: string;
  trustProxy: boolean;
  mediaDir: string;
  /** Largest accepted image upload, before it is normalised for Meta. */
  maxImageBytes: number;
}

export function loadAppConfig(): AppConfig {
  const env = new EnvReader();
  const nodeEnv = env.oneOf('NODE_ENV', NODE_ENVS, 'development');
  const port = env.int('PORT', 8000, { min: 0, max: 65535 });
  const cors = env.string('CORS_ORIGINS', '*');
  return env.done({
    nodeEnv,
    processRole: env.oneOf('PROCESS_ROLE', PROCESS_ROLES, 'all'),
    port,
    host: env.string('HOST', '0.0.0.0'),
    appUrl: env.url('APP_URL', `http://localhost:${port}`) as string,
    corsOrigins:
      cors === '*'
        ? '*'
        : cors
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    bodyLimitBytes: env.int('BODY_LIMIT_BYTES', 2 * 1024 * 1024, { min: 1024 }),
    logLevel: env.string('LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info'),
    trustProxy: env.bool('TRUST_PROXY', false),
    mediaDir: resolve(env.string('MEDIA_DIR', '.data/media')),
    maxImageBytes: env.int('MAX_IMAGE_BYTES', 10 * 1024 * 1024, { min: 1024 }),
  });
}

export const appConfig = registerAs('app', loadAppConfig);
