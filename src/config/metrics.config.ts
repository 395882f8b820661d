import { registerAs } from '@nestjs/config';
import { EnvReader } from './env';

/** Shortest `METRICS_TOKEN` accepted: it guards the whole operational picture. */
export const METRICS_TOKEN_MIN_LENGTH = 16;

export interface MetricsConfig {
  /**
   * Bearer token `GET /metrics` requires. Unset: the route answers 404, as if it did not
   * exist, so metrics are never public by accident.
   */
  token?: string;
}

export function loadMetricsConfig(): MetricsConfig {
  const env = new EnvReader();
  const token = env.string('METRICS_TOKEN');
  if (token !== undefined && token.length < METRICS_TOKEN_MIN_LENGTH) {
    env.problem(`METRICS_TOKEN must be at least ${METRICS_TOKEN_MIN_LENGTH} characters`);
  }
  return env.done({ token });
}

export const metricsConfig = registerAs('metrics', loadMetricsConfig);
