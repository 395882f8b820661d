import { registerAs } from '@nestjs/config';
import { EnvReader } from './env';

export interface MetaConfig {
  appId?: string;
  appSecret?: string;
  /** Secret of a separate Instagram app (Instagram Login), also accepted on webhooks. */
  instagramAppSecret?: string;
  verifyToken: string;
  apiVersion: string;
  /** Facebook Login / Page access tokens. */
  graphApiUrl: string;
  /** Instagram Login tokens. */
  instagramApiUrl: string;
  timeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Send API calls per second and account for text (and sender actions, images, files). */
  sendRatePerSecond: number;
  /** Send API calls per second and account for audio and video. */
  sendMediaRatePerSecond: number;
  /** Longest wait for our own outbound pacing; beyond it the call fails with 429. */
  pacingMaxWaitMs: number;
  profileCacheSeconds: number;
  /** How often Instagram Login tokens close to expiry are refreshed (once per period per cluster). */
  tokenRefreshIntervalMs: number;
  /** Allow sends with the HUMAN_AGENT tag up to 7 days after the last inbound message. */
  humanAgentEnabled: boolean;
}

export function loadMetaConfig(): MetaConfig {
  const env = new EnvReader();
  return env.done({
    appId: env.string('META_APP_ID'),
    appSecret: env.string('META_APP_SECRET'),
    instagramAppSecret: env.string('META_INSTAGRAM_APP_SECRET'),
    verifyToken: env.secret('META_VERIFY_TOKEN', 'development-verify-token', 8),
    apiVersion: env.string('META_API_VERSION', 'v21.0'),
    graphApiUrl: env.url('META_GRAPH_API_URL', 'https://graph.facebook.com') as string,
    instagramApiUrl: env.url('META_INSTAGRAM_API_URL', 'https://graph.instagram.com') as string,
    timeoutMs: env.int('META_TIMEOUT_MS', 10_000, { min: 100 }),
    maxRetries: env.int('META_MAX_RETRIES', 3, { min: 0, max: 10 }),
    retryBaseDelayMs: env.int('META_RETRY_BASE_DELAY_MS', 500, { min: 0 }),
    retryMaxDelayMs: env.int('META_RETRY_MAX_DELAY_MS', 30_000, { min: 0 }),
    sendRatePerSecond: env.int('META_SEND_RATE_PER_SECOND', 100, { min: 1 }),
    sendMediaRatePerSecond: env.int('META_SEND_MEDIA_RATE_PER_SECOND', 10, { min: 1 }),
    pacingMaxWaitMs: env.int('META_PACING_MAX_WAIT_MS', 2000, { min: 0 }),
    profileCacheSeconds: env.int('META_PROFILE_CACHE_SECONDS', 60, { min: 0 }),
    tokenRefreshIntervalMs: env.int('META_TOKEN_REFRESH_INTERVAL_MS', 24 * 60 * 60 * 1000, {
      min: 1000,
    }),
    humanAgentEnabled: env.bool('META_HUMAN_AGENT_ENABLED', false),
  });
}

export const metaConfig = registerAs('meta', loadMetaConfig);

/** Settings of the local Meta Graph API simulator (`npm run meta:simulator`). */
export interface MetaSimulatorSettings {
  port: number;
  host: string;
  /** Signs simulated webhooks; must match the app's META_APP_SECRET. */
  appSecret?: string;
  /** Where simulated webhooks are delivered by default (the local app's webhook route). */
  webhookUrl?: string;
}

export function loadMetaSimulatorSettings(): MetaSimulatorSettings {
  const env = new EnvReader();
  return env.done({
    port: env.int('META_SIMULATOR_PORT', 8787, { min: 0, max: 65535 }),
    host: env.string('META_SIMULATOR_HOST', '127.0.0.1'),
    appSecret: env.string('META_APP_SECRET'),
    webhookUrl: env.url(
      'META_SIMULATOR_WEBHOOK_URL',
      `http://127.0.0.1:${env.int('PORT', 8000, { min: 0, max: 65535 })}/v1/webhook`,
    ),
  });
}

/** Meta credentials are "real" when an app id and secret are configured. */
export function hasRealMetaCredentials(): boolean {
  const env = new EnvReader();
  return env.string('META_APP_ID') !== undefined && env.string('META_APP_SECRET') !== undefined;
}
