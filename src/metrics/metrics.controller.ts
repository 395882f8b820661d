import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../common/decorators';
import { NotFoundError, UnauthorizedError } from '../common/errors';
import { metricsConfig, type MetricsConfig } from '../config/metrics.config';
import { MetricsService } from './metrics.service';

class MetricsTokenRequiredError extends UnauthorizedError {
  override headers(): Record<string, string> {
    return { 'WWW-Authenticate': 'Bearer realm="metrics"' };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Prometheus scrape endpoint. Not an API route (left out of the OpenAPI document): it takes
 * `Authorization: Bearer <METRICS_TOKEN>`, never an access token. Without `METRICS_TOKEN` it
 * answers 404 like any unknown route; with it, a missing or wrong token answers 401.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  private readonly expected?: Buffer;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(metricsConfig.KEY) config: MetricsConfig,
  ) {
    this.expected = config.token === undefined ? undefined : digest(config.token);
  }

  @Public()
  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    if (!this.expected) throw new NotFoundError('Route');
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), this.expected)) {
      throw new MetricsTokenRequiredError('A valid metrics token is required');
    }
    const { contentType, body } = await this.metrics.render();
    void reply.type(contentType).header('Cache-Control', 'no-store');
    return body;
  }
}
