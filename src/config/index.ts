import { appConfig } from './app.config';
import { authConfig } from './auth.config';
import { cryptoConfig } from './crypto.config';
import { databaseConfig } from './database.config';
import { mailConfig } from './mail.config';
import { mediaConfig } from './media.config';
import { metaConfig } from './meta.config';
import { metricsConfig } from './metrics.config';
import { redisConfig } from './redis.config';
import { webhookConfig } from './webhook.config';

export * from './app.config';
export * from './auth.config';
export * from './crypto.config';
export * from './database.config';
export * from './mail.config';
export * from './media.config';
export * from './meta.config';
export * from './metrics.config';
export * from './redis.config';
export * from './webhook.config';

/** Every config namespace, loaded (and validated) when the application boots. */
export const configNamespaces = [
  appConfig,
  authConfig,
  cryptoConfig,
  databaseConfig,
  mailConfig,
  mediaConfig,
  metaConfig,
  metricsConfig,
  redisConfig,
  webhookConfig,
];
