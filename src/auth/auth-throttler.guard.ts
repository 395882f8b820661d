import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { applyDecorators, ExecutionContext, Injectable, Logger, UseGuards } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { ApiErrorResponses } from '../common/decorators';
import { ServiceUnavailableError, TooManyRequestsError } from '../common/errors';
import type { AuthConfig } from '../config/auth.config';
import type { RedisConnections } from '../redis/redis-connections';

/** The email a request body names (before validation), as the per-email limit keys it. */
function emailOf(request: { body?: unknown }): string | undefined {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const email = (body as { email?: unknown }).email;
  return typeof email === 'string' && email.trim() !== '' ? email.trim().toLowerCase() : undefined;
}

/** The limits cannot be counted (Redis unreachable): the request is refused, not let through. */
export class ThrottlingUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('Rate limiting is unavailable, try again in a moment', [
      { reason: 'throttling_unavailable' },
    ]);
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': '1' };
  }
}

/**
 * Hit counters in Redis under the deployment's key prefix, on the shared command connection,
 * so every instance counts against the same limit (one atomic script per hit). While Redis does
 * not answer, the credential routes answer 503 rather than go unlimited.
 */
class ClusterThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('AuthThrottler');
  private readonly storage: ThrottlerStorageRedisService;

  constructor(private readonly redis: RedisConnections) {
    this.storage = new ThrottlerStorageRedisService(redis.commands);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): ReturnType<ThrottlerStorage['increment']> {
    try {
      return await this.storage.increment(
        this.redis.key('throttle', key),
        ttl,
        limit,
        blockDuration,
        throttlerName,
      );
    } catch (error) {
      this.logger.warn(`Could not count an attempt in Redis: ${String(error)}`);
      throw new ThrottlingUnavailableError();
    }
  }
}

/**
 * Two limits on the credential routes, both `AUTH_THROTTLE_LIMIT` requests per
 * `AUTH_THROTTLE_TTL_SECONDS` and per route, across all instances: one per client IP, one
 * per email named in the body (routes without an email, such as refresh, have only the IP
 * limit).
 */
export function authThrottlerOptions(
  config: AuthConfig,
  redis: RedisConnections,
): ThrottlerModuleOptions {
  const limits = { limit: config.throttleLimit, ttl: config.throttleTtlSeconds * 1000 };
  return {
    setHeaders: false,
    storage: new ClusterThrottlerStorage(redis),
    throttlers: [
      { name: 'auth-ip', ...limits },
      {
        name: 'auth-email',
        ...limits,
        getTracker: (request: { body?: unknown }) => `email:${emailOf(request) ?? ''}`,
        skipIf: (context: ExecutionContext) =>
          emailOf(context.switchToHttp().getRequest<{ body?: unknown }>()) === undefined,
      },
    ],
  };
}

/** Refuses with 429 in the error envelope, with `Retry-After` in seconds. */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    return Promise.reject(
      new TooManyRequestsError('Too many attempts, try again later', detail.timeToBlockExpire),
    );
  }
}

/** Applies the per-IP and per-email limits to a route. */
export function AuthRateLimit() {
  return applyDecorators(UseGuards(AuthThrottlerGuard), ApiErrorResponses(429));
}
