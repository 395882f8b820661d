import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export type CorsOptions = NonNullable<Parameters<NestFastifyApplication['enableCors']>[0]>;

/** Every method a route of the API answers (HEAD with each GET). */
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'];

/** Request headers the API reads from browsers. */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Request-Id',
];

/** Response headers browser scripts may read: the request id and when to retry. */
export const CORS_EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After'];

/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for browser clients. `*` admits every origin; a list admits exactly those
 * origins, and answers any other without `Access-Control-Allow-Origin`, so the browser
 * refuses the response. Authentication is by bearer token, never cookies, so no
 * credentials mode.
 */
export function corsOptions(origins: readonly string[] | '*'): CorsOptions {
  return {
    origin: origins === '*' ? true : [...origins],
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  };
}
