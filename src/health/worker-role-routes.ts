import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
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
 * processes.
 */
@Injectable()
export class WorkerRoleRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  onModuleInit(): void {
    if (this.app.processRole !== 'worker') return;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
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
