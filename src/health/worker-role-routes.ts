import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { ErrorEnvelope } from '../common/filters/all-exceptions.filter';
import { appConfig, type AppConfig } from '../config/app.config';

/** What a `worker` process serves over HTTP: what orchestrators and Prometheus probe. */
export const WORKER_ROLE_PATHS: ReadonlySet<string> = new Set([
  '/',
  '/running',
  '/health-check',
  '/metrics',
]);

const NOT_SERVED: ErrorEnvelope = {
  error: {
    code: 404,
    message: 'Route not found: this process runs background work only (PROCESS_ROLE=worker)',
    details: [],
  },
};

/**
 * In a `worker` process (`PROCESS_ROLE=worker`) every other route answers 404 before anything
 * else runs: the API, its documentation and the queue dashboard are served by `api`/`all`
 * processes. The hook is added when the provider is created, before any route or plugin (the
 * dashboard's) is registered, so it runs first for all of them.
 */
@Injectable()
export class WorkerRoleRoutes {
  constructor(adapterHost: HttpAdapterHost, @Inject(appConfig.KEY) app: AppConfig) {
    if (app.processRole !== 'worker') return;
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onRequest', (request, reply, done) => {
      const path = request.url.split('?', 1)[0];
      if (WORKER_ROLE_PATHS.has(path)) {
        done();
        return;
      }
      void reply.code(404).send(NOT_SERVED);
    });
  }
}
