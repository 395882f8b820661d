import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { corsOptions } from './common/http/cors-options';
import { setupApiDocs } from './common/openapi/openapi';
import { createValidationPipe } from './common/validation/validation.pipe';
import { loadAppConfig } from './config/app.config';
import { loadWebhookConfig } from './config/webhook.config';

export interface CreateAppOptions {
  /** Full connection string including the database name. */
  databaseUri: string;
  /** Redis URL (`REDIS_URL`, or the embedded server's). */
  redisUrl: string;
  /** Buffer Nest's boot logs until the pino logger is ready (default true). */
  bufferLogs?: boolean;
}

/** Routes whose body may be as large as Meta's biggest webhook batch. */
const LARGE_BODY_ROUTES = new Set(['/v1/webhook']);

/**
 * Builds the configured (not yet listening) application. Used by `main.ts`, the API
 * tests and the benchmarks, so all three run exactly the same stack.
 */
export async function createApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const appConfig = loadAppConfig();
  const webhookConfig = loadWebhookConfig();
  const adapter = new FastifyAdapter({
    bodyLimit: appConfig.bodyLimitBytes,
    trustProxy: appConfig.trustProxy,
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming)
        ? incoming
        : randomUUID();
    },
    forceCloseConnections: 'idle',
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onRoute', (route) => {
    if (LARGE_BODY_ROUTES.has(route.url)) route.bodyLimit = webhookConfig.bodyLimitBytes;
  });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ databaseUri: options.databaseUri, redisUrl: options.redisUrl }),
    adapter,
    { rawBody: true, bufferLogs: options.bufferLogs ?? true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
        fontSrc: ["'self'", 'https://fonts.gstatic.com'],
        imgSrc: ["'self'", 'data:', 'https:'],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        workerSrc: ["'self'", 'blob:'],
      },
    },
  });
  const cors = app.get(ConfigService).getOrThrow<typeof appConfig>('app').corsOrigins;
  app.enableCors(corsOptions(cors));
  await app.register(multipart);
  setupApiDocs(app, fastify);
  await app.init();
  return app;
}
