import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { MetricsService, UNMATCHED_ROUTE } from './metrics.service';

/**
 * Records every HTTP response by method, route pattern and status (a Fastify onResponse hook,
 * added when the provider is created: before any route or plugin is registered, so it covers the
 * dashboard's routes too).
 */
@Injectable()
export class HttpMetrics {
  constructor(adapterHost: HttpAdapterHost, metrics: MetricsService) {
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.httpRequest(
        request.method,
        request.routeOptions.url ?? UNMATCHED_ROUTE,
        reply.statusCode,
        reply.elapsedTime,
      );
      done();
    });
  }
}
